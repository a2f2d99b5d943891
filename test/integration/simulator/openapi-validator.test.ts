import { readFileSync } from "node:fs";
import path from "node:path";
import {
  DEFAULT_WEBHOOK_SPEC,
  LINE_OPENAPI_DIR,
  OpenApiValidator,
  validateRequestBody,
} from "../../../src/simulator/openapi-validator";

describe("validateRequestBody against messaging-api.yml", () => {
  it("accepts what the project sends: text with quick replies, templates, loading, markAsRead", () => {
    const quickReply = {
      items: [
        { type: "action", action: { type: "message", label: "はい", text: "はい" } },
        { type: "action", action: { type: "postback", label: "いいえ", data: "a=no" } },
      ],
    };
    const push = {
      to: "U" + "0".repeat(32),
      messages: [
        { type: "text", text: "こんにちは", quickReply, sender: { name: "相談員" } },
        {
          type: "template",
          altText: "選んでください",
          template: {
            type: "buttons",
            text: "相談の内容",
            actions: [{ type: "postback", label: "DV", data: "topic=dv" }],
          },
        },
      ],
    };
    expect(validateRequestBody("/v2/bot/message/push", "post", push)).toEqual([]);
    expect(validateRequestBody("/v2/bot/chat/loading/start", "post", { chatId: "U1" })).toEqual([]);
    expect(
      validateRequestBody("/v2/bot/chat/markAsRead", "post", { markAsReadToken: "t" }),
    ).toEqual([]);
  });

  it("checks each message against its own subtype (discriminator resolved)", () => {
    const problems = validateRequestBody("/v2/bot/message/reply", "post", {
      replyToken: "x",
      messages: [
        { type: "text" },
        { type: "sticker", packageId: "1", stickerId: 2 },
        { type: "template", altText: "a", template: { type: "buttons", actions: [] } },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "messages[0].text: May not be empty",
        "messages[1].stickerId: Must be string",
        "messages[2].template.text: May not be empty",
      ]),
    );
  });

  it("checks actions nested in quick replies by their type", () => {
    const problems = validateRequestBody("/v2/bot/message/reply", "post", {
      replyToken: "x",
      messages: [
        {
          type: "text",
          text: "t",
          quickReply: {
            items: [{ type: "action", action: { type: "postback", data: "d".repeat(301) } }],
          },
        },
      ],
    });
    expect(problems).toEqual([
      "messages[0].quickReply.items[0].action.data: Length must be between 0 and 300",
    ]);
  });

  it("says so when the operation has no JSON body in the spec", () => {
    expect(validateRequestBody("/v2/bot/nowhere", "post", {})).toEqual([
      "No JSON request body for post /v2/bot/nowhere",
    ]);
  });
});

describe("OpenApiValidator with webhook.yml", () => {
  const validator = new OpenApiValidator({ specPath: DEFAULT_WEBHOOK_SPEC });

  it("accepts LINE's own fixture events (all but the two types the spec does not list)", () => {
    const fixture = JSON.parse(
      readFileSync(
        require.resolve("../../../../shared/line/fixtures/python-sdk-v3-webhook.json"),
        "utf8",
      ),
    ) as { events: { type: string }[] };
    const known = fixture.events.filter((e) => !["messageEdited", "undefined"].includes(e.type));
    const body = { destination: "U" + "a".repeat(32), events: known };
    expect(validator.validateSchema("CallbackRequest", body)).toEqual([]);
  });
});

describe("LINE's specs the simulator carries", () => {
  it.each(["messaging-api.yml", "webhook.yml"])(
    "%s is the official one, byte for byte (../shared/line/openapi)",
    (file) => {
      const official = readFileSync(
        path.resolve(__dirname, "../../../../shared/line/openapi", file),
      );
      expect(readFileSync(path.join(LINE_OPENAPI_DIR, file)).equals(official)).toBe(true);
    },
  );
});
