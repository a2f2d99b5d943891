/**
 * bench:webhook's requests: one message event of a new webhookEventId each, as LINE sends them,
 * from one of WOMEN women (so that, processed, the events continue their conversations).
 */
import { createHash, createHmac, randomBytes, randomInt } from "node:crypto";
import { SECRET, WOMEN } from "./settings";

const womenIds = Array.from(
  { length: WOMEN },
  (_, i) => `U${createHash("md5").update(`bench-woman-${i}`).digest("hex")}`,
);

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function signedRequest(): SignedRequest {
  const userId = womenIds[randomInt(womenIds.length)] ?? "";
  const body = JSON.stringify({
    destination: "Ubench",
    events: [
      {
        type: "message",
        mode: "active",
        timestamp: Date.now(),
        webhookEventId: randomBytes(13).toString("hex").toUpperCase(),
        deliveryContext: { isRedelivery: false },
        source: { type: "user", userId },
        replyToken: randomBytes(16).toString("hex"),
        message: {
          id: String(Date.now()),
          type: "text",
          text: "こんにちは、相談したいです",
          quoteToken: "q",
        },
      },
    ],
  });
  const signature = createHmac("sha256", SECRET).update(body).digest("base64");
  return { body, headers: { "content-type": "application/json", "x-line-signature": signature } };
}

/** The request as the bytes of an HTTP/1.1 POST to the webhook, ready to write to a socket. */
export function rawRequest(host: string, req: SignedRequest): Buffer {
  const body = Buffer.from(req.body);
  const head =
    `POST /webhook/line HTTP/1.1\r\nhost: ${host}\r\n` +
    Object.entries(req.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("") +
    `content-length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}
