/**
 * Quick-reply postback data: every button she can tap comes back as the same answer, and data
 * that is damaged or from another bot is not mistaken for an answer.
 */
import {
  decodePostback,
  encodePostback,
  type PostbackAction,
} from "../../../src/flows/flow-postback";

const ACTIONS: PostbackAction[] = [
  { action: "choose", nodeId: "topics", choiceId: "dv" },
  { action: "skip", nodeId: "age" },
  { action: "done", nodeId: "topics" },
  { action: "municipality", nodeId: "region", name: "前橋市" },
  { action: "prefer-not", nodeId: "region" },
  { action: "handoff" },
];

describe("postback data", () => {
  it.each(ACTIONS.map((a) => [a.action, a] as const))("%s: a tap decodes to the same answer", (_name, action) => {
    expect(decodePostback(encodePostback(action))).toEqual(action);
  });

  it("is short: the action and the node only, and the value when there is one", () => {
    expect(encodePostback({ action: "handoff" })).toBe("a=h");
    expect(encodePostback({ action: "skip", nodeId: "age" })).toBe("a=s&n=age");
    expect(encodePostback({ action: "choose", nodeId: "topics", choiceId: "dv" })).toBe("a=c&n=topics&c=dv");
  });

  it.each([
    ["no action", "n=topics&c=dv"],
    ["an unknown action", "a=x&n=topics&c=dv"],
    ["a choice without its node", "a=c&c=dv"],
    ["a choice without its value", "a=c&n=topics"],
    ["a municipality without its node", "a=m&c=前橋市"],
    ["a municipality without its name", "a=m&n=region"],
    ["a skip without its node", "a=s"],
    ["a done without its node", "a=d"],
    ["a prefer-not without its node", "a=p"],
    ["another bot's data", "action=buy&itemid=111"],
  ])("%s is not an answer", (_label, data) => {
    expect(decodePostback(data)).toBeNull();
  });
});
