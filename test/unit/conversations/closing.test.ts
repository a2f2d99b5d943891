import { chatMinutes, lastMessageUnanswered } from "../../../src/conversations/closing";

const her = { direction: "in" as const, author: "person", unsent: false };
const bot = { direction: "out" as const, author: "bot", unsent: false };
const counsellor = { direction: "out" as const, author: "counsellor", unsent: false };

describe("closing", () => {
  it("her last message is unanswered until a counsellor answers it; the bot's words are no answer", () => {
    expect(lastMessageUnanswered([])).toBe(false);
    expect(lastMessageUnanswered([bot, her])).toBe(true);
    expect(lastMessageUnanswered([her, bot])).toBe(true);
    expect(lastMessageUnanswered([her, counsellor])).toBe(false);
    expect(lastMessageUnanswered([her, counsellor, her, bot])).toBe(true);
    expect(lastMessageUnanswered([bot, bot])).toBe(false);
  });

  it("a message she unsent does not need an answer", () => {
    expect(lastMessageUnanswered([her, counsellor, { ...her, unsent: true }])).toBe(false);
  });

  it("the chat lasts from the first counsellor answer, in whole minutes; never answered is 0", () => {
    const first = new Date("2026-12-01T11:00:00Z");
    expect(chatMinutes(first, new Date("2026-12-01T11:25:20Z"))).toBe(25);
    expect(chatMinutes(first, new Date("2026-12-01T11:25:40Z"))).toBe(26);
    expect(chatMinutes(null, new Date("2026-12-01T11:25:00Z"))).toBe(0);
  });
});
