import {
  asksForContactTimes,
  CONTACT_BANDS,
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
