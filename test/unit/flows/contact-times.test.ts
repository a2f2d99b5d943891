import {
  asksForContactTimes,
  CONTACT_BANDS,
  contactTimesConfirmation,
  contactTimesQuestion,
  contactWindowOpensAt,
} from "../../../src/flows/contact-times";
import { lockScreenProblem } from "../../../src/flows/shared-phone";
import { Chat, jst, useJapaneseAnalyser } from "./chat-harness";

useJapaneseAnalyser();

/** She says when it is safe to contact her; pushes wait for that window (Japan time). */
describe("her contact times", () => {
  it("lets a push go at once inside her window, else at the window's next start", () => {
    // 19時〜21時: at 15:00 it waits for 19:00 today; at 20:59 it goes; at 21:00 it waits for tomorrow.
    expect(contactWindowOpensAt("19-21", jst("2026-11-24T15:00:00"))).toEqual(
      jst("2026-11-24T19:00:00"),
    );
    expect(contactWindowOpensAt("19-21", jst("2026-11-24T19:00:00"))).toBeNull();
    expect(contactWindowOpensAt("19-21", jst("2026-11-24T20:59:59"))).toBeNull();
    expect(contactWindowOpensAt("19-21", jst("2026-11-24T21:00:00"))).toEqual(
      jst("2026-11-25T19:00:00"),
    );
    // Just after midnight Japan time (still the day before in UTC): the same day's morning.
    expect(contactWindowOpensAt("9-12", jst("2026-11-25T00:30:00"))).toEqual(
      jst("2026-11-25T09:00:00"),
    );
    // No limit chosen, or 「いつでも大丈夫」: at once.
    expect(contactWindowOpensAt(null, jst("2026-11-24T03:00:00"))).toBeNull();
    expect(contactWindowOpensAt("any", jst("2026-11-24T03:00:00"))).toBeNull();
  });

  it("knows her asking in a short message, not in a long story that uses the words", () => {
    expect(asksForContactTimes("連絡してよい時間")).toBe(true);
    expect(asksForContactTimes("連絡していい時間は？")).toBe(true);
    expect(
      asksForContactTimes("夫が帰ってくるので連絡してよい時間がほとんどなくて困っているんです"),
    ).toBe(false);
    // Up to eight characters around the word (punctuation aside) still ask; a ninth makes it a story.
    expect(asksForContactTimes("連絡してよい時間を決めたいんです。")).toBe(true);
    expect(asksForContactTimes("連絡してよい時間を決めたいのですが。")).toBe(false);
  });

  it("asks in two lines: what she chooses, and that her own messages are still answered at once", () => {
    expect(contactTimesQuestion().text.split("\n")).toEqual([
      "こちらからメッセージを送ってよい時間を選んでください。",
      "その時間の外には、こちらからはお送りしません（あなたがメッセージを送ったときの返事は、すぐに届きます）。",
    ]);
  });

  it("confirms her band, or that messages go at any time, and how to change it", () => {
    expect(contactTimesConfirmation("9-12").text.split("\n")).toEqual([
      "わかりました。こちらからは9時〜12時のあいだにお送りします。",
      "変えるときは「連絡してよい時間」と送ってください。",
    ]);
    expect(contactTimesConfirmation(null).text.split("\n")).toEqual([
      "わかりました。時間を決めずにお送りします。",
      "変えるときは「連絡してよい時間」と送ってください。",
    ]);
  });

  it("asks with one button per band and records her choice, the triage going on after", () => {
    const chat = new Chat().follow().tap("はい、大丈夫");
    const question = chat.labels();
    chat.say("連絡してよい時間");
    expect(chat.labels()).toEqual([...CONTACT_BANDS.map((b) => b.label), "いつでも大丈夫"]);
    expect(lockScreenProblem(chat.text())).toBeUndefined();
    chat.tap("19時〜21時");
    expect(chat.effect("setContactTimes")).toEqual({ type: "setContactTimes", bandId: "19-21" });
    expect(chat.text()).toContain("19時〜21時のあいだにお送りします");
    expect(lockScreenProblem(chat.text())).toBeUndefined();
    // The question she was on is asked again, with its buttons.
    expect(chat.labels()).toEqual(question);
    chat.say("連絡してよい時間").tap("いつでも大丈夫");
    expect(chat.effect("setContactTimes")).toEqual({ type: "setContactTimes", bandId: null });
  });

  it("works during a counsellor's chat too, and is not read as the exit word or a hand-off", () => {
    const chat = new Chat(undefined, undefined, "human");
    chat.say("連絡してよい時間");
    expect(chat.labels()).toContain("19時〜21時");
    chat.tap("9時〜12時");
    expect(chat.effect("setContactTimes")).toEqual({ type: "setContactTimes", bandId: "9-12" });
    expect(chat.effect("end")).toBeUndefined();
    expect(chat.effect("handoff")).toBeUndefined();
  });
});
