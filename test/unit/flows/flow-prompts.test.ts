/**
 * The buttons under a question, as she sees them: choices, skip or done, and always a way to a
 * counsellor; and the quick reply only on the last bubble.
 */
import {
  choiceItems,
  DEFAULT_DONE_LABEL,
  municipalityItems,
  withQuickReply,
} from "../../../src/flows/flow-prompts";
import type { ChoiceNode, FlowNode, MunicipalityNode, QuickReplyItem } from "../../../src/flows/flow-types";
import { gunma } from "./chat-harness";

function node<T extends FlowNode["type"]>(id: string, type: T): Extract<FlowNode, { type: T }> {
  const found = gunma.flow.nodes[id];
  if (found?.type !== type) throw new Error(`${id} is not a ${type} node`);
  return found as Extract<FlowNode, { type: T }>;
}

const labels = (items: QuickReplyItem[]) => items.map((i) => i.action.label);

describe("choice buttons", () => {
  const topics = node("topics", "choice");

  it("a multi-select before any pick: every choice, skip, and the counsellor", () => {
    expect(labels(choiceItems("topics", topics, gunma.flow, []))).toEqual([
      "パートナー・家族のこと",
      "お金・住まい・食べもの",
      "仕事のこと",
      "こころ・さみしさ",
      "その他",
      "いくつもある",
      "生理用品を受け取りたい",
      "居場所・集まりを知りたい",
      "答えずに進む",
      "相談員と話したい",
    ]);
  });

  it("after a pick: the picked one is gone, a choice without a value stays, done replaces skip", () => {
    expect(labels(choiceItems("topics", topics, gunma.flow, ["dv", "work"]))).toEqual([
      "お金・住まい・食べもの",
      "こころ・さみしさ",
      "その他",
      "いくつもある",
      "生理用品を受け取りたい",
      "居場所・集まりを知りたい",
      "これで全部",
      "相談員と話したい",
    ]);
  });

  it("a multi-select without its own doneLabel says 「これで全部」", () => {
    const noLabel: ChoiceNode = { ...topics };
    delete noLabel.doneLabel;
    const items = choiceItems("topics", noLabel, gunma.flow, ["dv"]);
    expect(labels(items).at(-2)).toBe("これで全部");
    expect(DEFAULT_DONE_LABEL).toBe("これで全部");
    const custom = choiceItems("topics", { ...topics, doneLabel: "以上です" }, gunma.flow, ["dv"]);
    expect(labels(custom).at(-2)).toBe("以上です");
  });

  it("a single-select shows every choice whatever was stored before", () => {
    const support = node("support", "choice");
    expect(labels(choiceItems("support", support, gunma.flow, ["chat"]))).toContain("このままLINEで");
  });

  it("a question that may not be skipped has no skip button", () => {
    expect(labels(choiceItems("safety", node("safety", "choice"), gunma.flow, []))).toEqual([
      "はい、大丈夫",
      "いまは難しい",
      "相談員と話したい",
    ]);
  });

  it("each button answers its own question", () => {
    const [first] = choiceItems("topics", topics, gunma.flow, []);
    expect(first).toEqual({
      type: "action",
      action: {
        type: "postback",
        label: "パートナー・家族のこと",
        data: "a=c&n=topics&c=dv",
        displayText: "パートナー・家族のこと",
      },
    });
  });
});

describe("municipality buttons", () => {
  it("the listed municipalities, then 「言いたくない」, then the counsellor", () => {
    const region: MunicipalityNode = node("region", "municipality");
    const items = municipalityItems("region", region, gunma.flow);
    expect(labels(items)).toEqual([...region.buttons, "言いたくない", "相談員と話したい"]);
    expect(items.map((i) => i.action.type === "postback" && i.action.data).slice(-2)).toEqual([
      "a=p&n=region",
      "a=h",
    ]);
  });
});

describe("withQuickReply", () => {
  const items = choiceItems("safety", node("safety", "choice"), gunma.flow, []);

  it("puts the buttons under the last bubble only", () => {
    expect(withQuickReply(["一つ目", "二つ目"], items)).toEqual([
      { type: "text", text: "一つ目" },
      { type: "text", text: "二つ目", quickReply: { items } },
    ]);
  });

  it("sends no empty quick reply", () => {
    expect(withQuickReply(["だけ"], [])).toEqual([{ type: "text", text: "だけ" }]);
  });
});
