/**
 * The ways out that must work at every point: a counsellor, the exit word, 最初から, silence,
 * and "not safe to talk now". Iterates over every node of both presets.
 */
import { initialState } from "../../../src/flows/flow-engine";
import type { EngineState, FlowMessages, Preset } from "../../../src/flows/flow-types";
import { Chat, gunma, yamaguchi, useJapaneseAnalyser } from "./chat-harness";

useJapaneseAnalyser();

/** Nodes that wait for her; message nodes pass straight on, handoff/end nodes finish the bot part. */
function waitingNodes(preset: Preset): string[] {
  return Object.entries(preset.flow.nodes)
    .filter(([, n]) => n.type === "choice" || n.type === "municipality")
    .map(([id]) => id);
}

function chatAt(preset: Preset, nodeId: string): Chat {
  const chat = new Chat(preset);
  const state: EngineState = {
    ...initialState(preset.flow, preset),
    status: "active",
    nodeId,
    triage: { ...initialState(preset.flow, preset).triage, safeNow: "yes", topics: ["dv"] },
  };
  chat.state = state;
  return chat;
}

const presets: [string, Preset][] = [
  ["gunma", gunma],
  ["yamaguchi", yamaguchi],
];

describe.each(presets)("%s: escapes from every node", (_name, preset) => {
  const nodes = waitingNodes(preset);

  it("has the questions this test walks", () => {
    expect(nodes).toEqual(expect.arrayContaining(["safety", "topics", "dv_nearby", "region", "age", "support"]));
  });

  it.each(nodes)("%s: 「相談員と話したい」 typed hands her over at once", (nodeId) => {
    const chat = chatAt(preset, nodeId).say("相談員と話したい");
    expect(chat.text()).toContain("相談員におつなぎしますね");
    expect(chat.effect("handoff")).toMatchObject({ reason: "requested", outOfHours: false });
    expect(chat.labels()).toEqual([]);
    expect(chat.state?.status).toBe("handed-off");
    expect(chat.triage().topics).toEqual(["dv"]);
  });

  it.each(nodes)("%s: the question shows a 相談員と話したい button that hands her over", (nodeId) => {
    const chat = chatAt(preset, nodeId).send({ type: "sticker" });
    expect(chat.labels()).toContain("相談員と話したい");
    expect(chat.labels().length).toBeLessThanOrEqual(13);
    chat.tap("相談員と話したい");
    expect(chat.effect("handoff")?.reason).toBe("requested");
  });

  it.each(nodes)("%s: the exit word ends the chat at once and keeps her answers", (nodeId) => {
    const chat = chatAt(preset, nodeId).say("おわり");
    expect(chat.text()).toBe("ご利用ありがとうございました。");
    expect(chat.labels()).toEqual([]);
    expect(chat.effect("end")).toEqual({ type: "end", reason: "exit-word" });
    expect(chat.effect("handoff")).toBeUndefined();
    expect(chat.state?.status).toBe("ended");
    expect(chat.triage().topics).toEqual(["dv"]);
  });

  it.each(nodes)("%s: 最初から goes back to the topics and clears the answers", (nodeId) => {
    const chat = chatAt(preset, nodeId).say("最初から");
    expect(chat.text()).toContain("最初からお聞きしますね");
    expect(chat.text()).toContain("どんなことで困っていますか");
    expect(chat.triage().topics).toEqual([]);
    expect(chat.triage().safeNow).toBe("yes");
  });

  it.each(nodes)("%s: long silence ends the bot part politely and keeps what was answered", (nodeId) => {
    const chat = chatAt(preset, nodeId).send({ type: "silence" });
    expect(chat.text().split("\n")[0]).toBe("少し時間があいたので、いったんここで区切りますね。");
    expect(chat.effect("end")).toEqual({ type: "end", reason: "silence" });
    expect(chat.triage().topics).toEqual(["dv"]);
  });
});

describe("hand-off words and the exit word in her own sentences", () => {
  it("a sentence asking for a person hands over too", () => {
    const chat = chatAt(gunma, "age").say("すみません、相談員さんと直接話せますか");
    expect(chat.effect("handoff")?.reason).toBe("requested");
  });

  it("the very first message can ask for a counsellor; no greeting stands in the way", () => {
    const chat = new Chat().say("誰かと話したいです");
    expect(chat.effect("handoff")?.reason).toBe("requested");
    expect(chat.text()).not.toContain("ぐんま・ほほえみネット");
  });

  it("the exit word works with punctuation, but not inside a longer sentence", () => {
    expect(chatAt(gunma, "topics").say("終わり。").effect("end")?.reason).toBe("exit-word");
    const chat = chatAt(gunma, "work_issue").say("仕事が終わりになりそう");
    expect(chat.effect("end")).toBeUndefined();
    expect(chat.text()).toContain("いま、お仕事はしていますか");
  });

  it("after the exit word, a new message starts a new conversation from the greeting", () => {
    const chat = chatAt(gunma, "topics").say("おわり").say("こんにちは");
    expect(chat.text()).toContain("ぐんま・ほほえみネット");
    expect(chat.triage().topics).toEqual([]);
  });

  it("最初から inside a long story is read as an answer, not a restart", () => {
    const chat = chatAt(gunma, "topics").say("最初から話すと長いのですが、夫のことです");
    expect(chat.triage().topics).toEqual(["dv"]);
    expect(chat.text()).not.toContain("最初からお聞きしますね");
  });
});

describe("not safe to talk now", () => {
  it("ends quietly with the deletion tip and 110", () => {
    const chat = new Chat().follow().tap("いまは難しい");
    expect(chat.text()).toContain("無理しないでくださいね");
    expect(chat.text()).toContain("「削除」");
    expect(chat.text()).toContain("110番");
    expect(chat.effect("end")).toEqual({ type: "end", reason: "not-safe-now" });
    expect(chat.triage().safeNow).toBe("no");
  });

  it("typing 大丈夫じゃない is read as not safe", () => {
    const chat = new Chat().follow().say("大丈夫じゃない");
    expect(chat.effect("end")?.reason).toBe("not-safe-now");
  });
});

describe("silence outside the triage", () => {
  it("sends nothing before the conversation started or after the hand-off", () => {
    expect(new Chat().send({ type: "silence" }).last.effects).toEqual([]);
    const chat = chatAt(gunma, "age").say("相談員と話したい").send({ type: "silence" });
    expect(chat.last.effects).toEqual([]);
  });
});

describe.each(presets)("%s: lock-screen previews", (_name, preset) => {
  const texts = [
    ...(Object.keys(preset.flow.messages) as (keyof FlowMessages)[]).flatMap((k) => preset.flow.messages[k] ?? []),
    ...Object.values(preset.flow.nodes).flatMap((n) => n.text),
  ];

  it.each(texts.map((t) => [t.split("\n")[0] ?? ""]))("first line is harmless: %s", (firstLine) => {
    expect(firstLine).not.toMatch(/DV|暴力|虐待|自殺|死|殺|性被害|性暴力|シェルター|{{hotlines/);
  });
});
