import { createHmac, randomBytes } from "node:crypto";
import { TEST_CHANNEL_SECRET } from "./test-env";

export function sign(body: string, secret = TEST_CHANNEL_SECRET): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** Posts a body to the service's webhook as LINE does (signed unless told otherwise). */
export async function postWebhook(
  baseUrl: string,
  body: string,
  headers: Record<string, string> = { "x-line-signature": sign(body) },
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${baseUrl}/webhook/line`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Posts bytes as they are, with the given headers: what a broken proxy or a stranger may send. */
export async function postBytes(
  baseUrl: string,
  bytes: Uint8Array<ArrayBuffer>,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${baseUrl}/webhook/line`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: bytes,
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

export const newUserId = () => `U${randomBytes(16).toString("hex")}`;
export const newEventId = () => randomBytes(13).toString("hex").toUpperCase().slice(0, 26);

/** A text message event as LINE sends it. */
export function textEvent(userId: string, text: string, overrides: Record<string, unknown> = {}) {
  return {
    type: "message",
    mode: "active",
    timestamp: Date.now(),
    webhookEventId: newEventId(),
    deliveryContext: { isRedelivery: false },
    source: { type: "user", userId },
    replyToken: randomBytes(16).toString("hex"),
    message: {
      id: String(Date.now()) + randomBytes(3).toString("hex"),
      type: "text",
      text,
      quoteToken: "q",
    },
    ...overrides,
  };
}

export function body(events: unknown[]): string {
  return JSON.stringify({ destination: "U8e742f61d673b39c7fff3cecb7536ef0", events });
}
