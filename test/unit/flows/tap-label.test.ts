import { encodePostback } from "../../../src/flows/flow-postback";
import type { Flow } from "../../../src/flows/flow-types";
import { tapLabel } from "../../../src/flows/tap-label";
import { gunma } from "../../support/presets";

/** The button she tapped, as the console shows it: from her conversation's flow version. */
describe("tapLabel", () => {
  const preset = gunma();
  const flow = preset.flow;
  const topic = Object.entries(flow.nodes).find(
    ([, n]) => n.type === "choice" && n.field === "topics",
  );
  if (!topic || topic[1].type !== "choice") throw new Error("the Gunma flow asks for topics");
  const [nodeId, node] = topic;
  const choice = node.choices.find((c) => c.value === "poverty");
  if (!choice) throw new Error("no poverty choice");

  it("names the choice she tapped, never the postback data", () => {
    const data = encodePostback({ action: "choose", nodeId, choiceId: choice.id });
    expect(tapLabel(flow, data)).toBe("お金・住まい・食べもの");
  });

  it("reads the label from the conversation's own flow version", () => {
    const older: Flow = {
      ...flow,
      version: "old",
      nodes: {
        ...flow.nodes,
        [nodeId]: {
          ...node,
          choices: node.choices.map((c) => (c.id === choice.id ? { ...c, label: "お金のこと" } : c)),
        },
      },
    };
    const data = encodePostback({ action: "choose", nodeId, choiceId: choice.id });
    expect(tapLabel(older, data)).toBe("お金のこと");
    expect(tapLabel(flow, data)).toBe("お金・住まい・食べもの");
  });

  it("names the flow's own buttons: skip, done, hand-off, contact times, municipalities", () => {
    expect(tapLabel(flow, encodePostback({ action: "skip", nodeId }))).toBe(flow.settings.skipLabel);
    expect(tapLabel(flow, encodePostback({ action: "done", nodeId }))).toBe(node.doneLabel ?? "これで全部");
    expect(tapLabel(flow, encodePostback({ action: "handoff" }))).toBe(flow.settings.handoffButtonLabel);
    expect(tapLabel(flow, encodePostback({ action: "contact-times", bandId: "19-21" }))).toBe("19時〜21時");
    expect(tapLabel(flow, encodePostback({ action: "contact-times", bandId: "any" }))).toBe("いつでも大丈夫");
    expect(tapLabel(flow, encodePostback({ action: "municipality", nodeId: "x", name: "高崎市" }))).toBe("高崎市");
  });

  it("gives nothing for a button this flow never showed, or data that is no button", () => {
    expect(tapLabel(flow, encodePostback({ action: "choose", nodeId, choiceId: "nope" }))).toBeNull();
    expect(tapLabel(flow, encodePostback({ action: "choose", nodeId: "gone", choiceId: "x" }))).toBeNull();
    expect(tapLabel(undefined, encodePostback({ action: "choose", nodeId, choiceId: choice.id }))).toBeNull();
    expect(tapLabel(flow, "not a postback")).toBeNull();
  });
});
