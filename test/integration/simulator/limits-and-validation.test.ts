import { call, startHarness, type Harness } from "./simulator-harness";

type Problem = { message: string; property: string };

describe("LINE's limits and the OpenAPI spec, enforced on push", () => {
  let h: Harness;
  let to: string;
  beforeAll(async () => {
    h = await startHarness();
    const hana = h.sim.person();
    await hana.follow();
    to = hana.userId;
  });
  afterAll(() => h.close());

  const push = (messages: unknown[]) =>
    call(h.baseUrl, "/v2/bot/message/push", { body: { to, messages } });

  async function expectDetails(messages: unknown[], details: Problem[]) {
    const result = await push(messages);
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      message: `The request body has ${details.length} error(s)`,
      details,
    });
  }

  const text = (t: string, extra: object = {}) => ({ type: "text", text: t, ...extra });
  const quickReply = (items: unknown[]) => ({ quickReply: { items } });
  const postbackItem = (label: string, data = "a=1") => ({
    type: "action",
    action: { type: "postback", label, data },
  });

  it("accepts 1 to 5 messages, refuses 0 and 6", async () => {
    expect((await push(Array.from({ length: 5 }, () => text("ok")))).status).toBe(200);
    await expectDetails([], [{ property: "messages", message: "Size must be between 1 and 5" }]);
    await expectDetails(
      Array.from({ length: 6 }, () => text("x")),
      [{ property: "messages", message: "Size must be between 1 and 5" }],
    );
  });

  it("counts text length in UTF-16 units: 5,000 pass, 5,001 do not", async () => {
    expect((await push([text("相".repeat(5000))])).status).toBe(200);
    // 2,500 emoji outside the BMP are 5,000 units; one more character is too many.
    expect((await push([text("🌸".repeat(2500))])).status).toBe(200);
    await expectDetails(
      [text("🌸".repeat(2500) + "あ")],
      [{ property: "messages[0].text", message: "Length must be between 0 and 5000" }],
    );
  });

  it("refuses an empty text", async () => {
    await expectDetails(
      [text("")],
      [{ property: "messages[0].text", message: "May not be empty" }],
    );
  });

  it("allows 13 quick-reply buttons, not 14", async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => postbackItem(`選択${i}`));
    expect((await push([text("選んでください", quickReply(items(13)))])).status).toBe(200);
    await expectDetails(
      [text("選んでください", quickReply(items(14)))],
      [{ property: "messages[0].quickReply.items", message: "Size must be between 1 and 13" }],
    );
  });

  it("limits a quick-reply label to 20 characters and postback data to 300", async () => {
    expect((await push([text("q", quickReply([postbackItem("あ".repeat(20))]))])).status).toBe(200);
    await expectDetails(
      [text("q", quickReply([postbackItem("あ".repeat(21), "d".repeat(301))]))],
      [
        {
          property: "messages[0].quickReply.items[0].action.label",
          message: "Length must be between 0 and 20",
        },
        {
          property: "messages[0].quickReply.items[0].action.data",
          message: "Length must be between 0 and 300",
        },
      ],
    );
  });

  it("validates message objects against messaging-api.yml, subtype by subtype", async () => {
    await expectDetails(
      [
        { type: "unknown" },
        { type: "image", originalContentUrl: "https://example.com/a.png" },
        { type: "sticker", packageId: "446" },
      ],
      [
        {
          property: "messages[0].type",
          message:
            "Must be one of the following values: [text, textV2, sticker, image, video, audio, location, imagemap, template, flex, coupon]",
        },
        { property: "messages[1].previewImageUrl", message: "May not be empty" },
        { property: "messages[2].stickerId", message: "May not be empty" },
      ],
    );
  });

  it("checks actions inside quick replies against their own schema", async () => {
    const result = await push([
      text("q", quickReply([{ type: "action", action: { type: "uri", label: "l", uri: 3 } }])),
    ]);
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({
      details: [{ property: "messages[0].quickReply.items[0].action.uri" }],
    });
  });

  it("refuses a body that is not JSON", async () => {
    const result = await call(h.baseUrl, "/v2/bot/message/push", { body: "{not json" });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({
      message: "The request body could not be parsed as JSON (line: -, column: -)",
    });
  });

  it("validates reply bodies too, before looking at the token", async () => {
    const result = await call(h.baseUrl, "/v2/bot/message/reply", {
      body: { messages: [text("x")] },
    });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ details: [{ property: "replyToken" }] });
  });
});
