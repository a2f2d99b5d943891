import { chatMinutes, lastMessageUnanswered } from "../../../src/conversations/closing";

const handed = new Date("2026-12-01T11:00:00Z");
const before = new Date("2026-12-01T10:58:00Z");
const after = new Date("2026-12-01T11:05:00Z");
const her = {
  direction: "in" as const,
  author: "person",
  kind: "text",
  sentAt: after,
  unsent: false,
};
const tap = { ...her, kind: "postback" };
const bot = {
  direction: "out" as const,
  author: "bot",
  kind: "text",
  sentAt: after,
  unsent: false,
};
const counsellor = { ...bot, author: "counsellor" };

describe("closing", () => {
  it("her last message waits until a counsellor answers it; the bot's words are no answer", () => {
    expect(lastMessageUnanswered([], handed)).toBe(false);
    expect(lastMessageUnanswered([bot, her], handed)).toBe(true);
    expect(lastMessageUnanswered([her, bot], handed)).toBe(true);
    expect(lastMessageUnanswered([her, counsellor], handed)).toBe(false);
    expect(lastMessageUnanswered([her, counsellor, her, bot], handed)).toBe(true);
    expect(lastMessageUnanswered([bot, bot], handed)).toBe(false);
  });

  it("what she wrote before the hand-off the bot answered; her taps and unsent messages wait for nothing", () => {
    expect(lastMessageUnanswered([{ ...her, sentAt: before }, bot], handed)).toBe(false);
    expect(lastMessageUnanswered([her], null)).toBe(false);
    expect(lastMessageUnanswered([counsellor, tap], handed)).toBe(false);
    expect(lastMessageUnanswered([her, counsellor, { ...her, unsent: true }], handed)).toBe(false);
    // Her message at the hand-off itself (a risk word hands her over) waits for a counsellor.
    expect(lastMessageUnanswered([{ ...her, sentAt: handed }, bot], handed)).toBe(true);
  });

  it("the chat lasts from the first counsellor answer, in whole minutes; never answered is 0", () => {
    const first = new Date("2026-12-01T11:00:00Z");
    expect(chatMinutes(first, new Date("2026-12-01T11:25:20Z"))).toBe(25);
    expect(chatMinutes(first, new Date("2026-12-01T11:25:40Z"))).toBe(26);
    expect(chatMinutes(null, new Date("2026-12-01T11:25:00Z"))).toBe(0);
  });
});
