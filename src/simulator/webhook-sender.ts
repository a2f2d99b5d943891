import { createHmac } from "node:crypto";
import type { WebhookDeliveryStatus } from "./simulator-types";

export type WebhookEvent = Record<string, unknown> & { type: string; webhookEventId: string };

/** `x-line-signature`: base64 HMAC-SHA256 of the exact body bytes with the channel secret. */
export function signBody(channelSecret: string, body: string | Buffer): string {
  return createHmac("sha256", channelSecret).update(body).digest("base64");
}

export interface EventBaseInput {
  type: string;
  userId: string;
  timestamp: number;
  webhookEventId: string;
  replyToken?: string;
}

/** The fields every webhook event carries, in the order LINE sends them. */
export function eventBase(input: EventBaseInput): WebhookEvent {
  return {
    ...(input.replyToken !== undefined ? { replyToken: input.replyToken } : {}),
    type: input.type,
    mode: "active",
    timestamp: input.timestamp,
    source: { type: "user", userId: input.userId },
    webhookEventId: input.webhookEventId,
    deliveryContext: { isRedelivery: false },
  };
}

/** The same event as LINE redelivers it: same id and content, `isRedelivery: true`. */
export function asRedelivery(event: WebhookEvent): WebhookEvent {
  return { ...structuredClone(event), deliveryContext: { isRedelivery: true } };
}

export interface PostResult {
  status: WebhookDeliveryStatus;
  error: string | undefined;
}

/** Posts `{destination, events}` signed like LINE; never throws (a failure is a status). */
export async function postWebhook(opts: {
  url: string;
  channelSecret: string;
  destination: string;
  events: WebhookEvent[];
  timeoutMs: number;
}): Promise<PostResult> {
  const body = JSON.stringify({ destination: opts.destination, events: opts.events });
  try {
    const response = await fetch(opts.url, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "LineBotWebhook/2.0",
        "x-line-signature": signBody(opts.channelSecret, Buffer.from(body, "utf8")),
      },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    // LINE ignores the response body; drain it so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, error: undefined };
  } catch (error) {
    // Duck-typed: fetch's DOMException may come from another realm (e.g. under jest).
    const name = (error as { name?: unknown } | null)?.name;
    return { status: "error", error: name === "TimeoutError" ? "timeout" : "connection failed" };
  }
}
