import type { messagingApi } from "@line/bot-sdk";
import { LINE_LIMITS, planRequests, splitText } from "../../../src/line/line-limits";
import { refusal } from "../../support/refusal";

type Message = messagingApi.Message;

const text = (t: string, quickReply?: messagingApi.QuickReply): Message =>
  quickReply ? { type: "text", text: t, quickReply } : { type: "text", text: t };

const buttons = (count: number, label = "はい", data = "yes"): messagingApi.QuickReply => ({
  items: Array.from({ length: count }, () => ({
    type: "action" as const,
    action: { type: "postback" as const, label, data, displayText: label },
  })),
});

describe("LINE's limits", () => {
  it("are the documented ones", () => {
    expect(LINE_LIMITS).toEqual({
      messagesPerRequest: 5,
      textUnits: 5000,
      quickReplyItems: 13,
      quickReplyLabel: 20,
      postbackData: 300,
    });
  });
});

describe("planning the requests for what she is sent", () => {
  it("sends at most five messages a request, in order", () => {
    const messages = Array.from({ length: 11 }, (_, i) => text(`${i + 1}`));
    const batches = planRequests(messages);
    expect(batches.map((b) => b.map((m) => (m.type === "text" ? m.text : "")))).toEqual([
      ["1", "2", "3", "4", "5"],
      ["6", "7", "8", "9", "10"],
      ["11"],
    ]);
    expect(planRequests(messages.slice(0, 5))).toHaveLength(1);
  });

  it("refuses to send nothing", () => {
    const error = refusal(() => planRequests([]));
    expect(error).toMatchObject({ code: "LINE_LIMIT", status: 400, message: "Nothing to send" });
  });

  it("leaves a text of exactly 5000 units whole, and splits a longer one", () => {
    const full = "あ".repeat(5000);
    expect(planRequests([text(full)])).toEqual([[text(full)]]);
    const [batch] = planRequests([text(`${full}い`)]);
    expect(batch).toEqual([text(full), text("い")]);
  });

  it("keeps the quick-reply buttons on the last part of a split text only", () => {
    const reply = buttons(2);
    const [batch] = planRequests([text(`${"あ".repeat(5000)}\n${"い".repeat(10)}`, reply)]);
    expect(batch).toEqual([text("あ".repeat(5000)), text("い".repeat(10), reply)]);
  });

  it("keeps other fields of a split text on every part", () => {
    const sender = { name: "相談員" };
    const [batch] = planRequests([{ type: "text", text: "あ".repeat(5001), sender }]);
    expect(batch).toEqual([
      { type: "text", text: "あ".repeat(5000), sender },
      { type: "text", text: "あ", sender },
    ]);
  });

  it("sends a message that is not text as it is", () => {
    const sticker: Message = { type: "sticker", packageId: "446", stickerId: "1988" };
    expect(planRequests([sticker])).toEqual([[sticker]]);
  });

  it("accepts 13 quick-reply buttons and refuses 14, naming the message", () => {
    expect(planRequests([text("a", buttons(13))])).toHaveLength(1);
    const error = refusal(() => planRequests([text("a"), text("b", buttons(14))]));
    expect(error).toMatchObject({ code: "LINE_LIMIT", status: 400 });
    expect(error.message).toBe("message 2: 14 quick-reply buttons, LINE allows 13");
  });

  it("accepts a label of 20 characters, counting an emoji as one, and refuses 21", () => {
    expect(planRequests([text("a", buttons(1, "🌸".repeat(20)))])).toHaveLength(1);
    const label = "あ".repeat(21);
    const error = refusal(() => planRequests([text("a", buttons(1, label))]));
    expect(error).toMatchObject({ code: "LINE_LIMIT", status: 400 });
    expect(error.message).toBe(`message 1: quick-reply label "${label}" is over 20 characters`);
  });

  it("accepts postback data of 300 characters and refuses 301", () => {
    expect(planRequests([text("a", buttons(1, "はい", "d".repeat(300)))])).toHaveLength(1);
    const error = refusal(() => planRequests([text("a", buttons(1, "はい", "d".repeat(301)))]));
    expect(error).toMatchObject({ code: "LINE_LIMIT", status: 400 });
    expect(error.message).toBe("message 1: postback data is over 300 characters");
  });

  it("checks buttons without a label or data (a camera button) only for their number", () => {
    const camera: messagingApi.QuickReply = {
      items: [{ type: "action", action: { type: "camera", label: "カメラ" } }],
    };
    expect(planRequests([text("a", camera)])).toHaveLength(1);
    const uri: messagingApi.QuickReply = {
      items: [{ type: "action", action: { type: "uri", uri: "https://example.org" } }],
    };
    expect(planRequests([text("a", uri)])).toHaveLength(1);
  });
});

describe("splitting a long text", () => {
  it("leaves a text of exactly the limit whole", () => {
    expect(splitText("a".repeat(10), 10)).toEqual(["a".repeat(10)]);
  });

  it("cuts at the last line break before the limit, dropping that line break", () => {
    expect(splitText("aaaaaa\nbb\nccccccc", 10)).toEqual(["aaaaaa\nbb", "ccccccc"]);
  });

  it("cuts at a line break right at the limit", () => {
    expect(splitText(`${"a".repeat(10)}\nbbb`, 10)).toEqual(["a".repeat(10), "bbb"]);
  });

  it("uses a line break from half the limit on, but not one earlier", () => {
    expect(splitText("aaaaa\nbbbbbbbbbb", 10)).toEqual(["aaaaa", "bbbbbbbbbb"]);
    expect(splitText("aaaa\nbbbbbbbbbbb", 10)).toEqual(["aaaa\nbbbbb", "bbbbbb"]);
  });

  it("cuts at the limit when there is no line break, as often as needed", () => {
    expect(splitText("a".repeat(25), 10)).toEqual(["a".repeat(10), "a".repeat(10), "aaaaa"]);
  });

  it("never cuts an emoji in half", () => {
    expect(splitText(`${"a".repeat(9)}🌸b`, 10)).toEqual(["a".repeat(9), "🌸b"]);
    // The lowest and the highest high surrogate (U+10000 and U+10FFFF).
    expect(splitText(`${"a".repeat(9)}\u{10000}b`, 10)).toEqual(["a".repeat(9), "\u{10000}b"]);
    expect(splitText(`${"a".repeat(9)}\u{10FFFF}b`, 10)).toEqual(["a".repeat(9), "\u{10FFFF}b"]);
    // An emoji that ends right at the limit stays whole in the first part.
    expect(splitText(`${"a".repeat(8)}🌸b`, 10)).toEqual([`${"a".repeat(8)}🌸`, "b"]);
    // A character just below the surrogates is cut like any other.
    expect(splitText(`${"a".repeat(9)}\uD7FFb`, 10)).toEqual([`${"a".repeat(9)}\uD7FF`, "b"]);
  });
});
