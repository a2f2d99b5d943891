import nodemailer from "nodemailer";
import type { OnCallConfig } from "../config/env-config";
import { describeError } from "../errors";

/** How long the receiver or the mail server may take before the attempt counts as failed. */
const SEND_TIMEOUT_MS = 10_000;

/** What a send attempt gave: accepted, or why not (a status or an error's name, for the log). */
export type Attempt = { ok: true } | { ok: false; why: string };

/** The two ways out of the service to the on-call people. Each is absent when not configured. */
export interface OnCallSenders {
  /** POSTs the raw JSON body with its signature; any 2xx is accepted. */
  webhook?: (rawBody: string, signature: string) => Promise<Attempt>;
  mail?: (message: { to: string; subject: string; text: string }) => Promise<Attempt>;
  close(): void;
}

export function createOnCallSenders(config: OnCallConfig): OnCallSenders {
  const { webhook } = config;
  const transport = config.smtpUrl
    ? nodemailer.createTransport({
        url: config.smtpUrl,
        connectionTimeout: SEND_TIMEOUT_MS,
        greetingTimeout: SEND_TIMEOUT_MS,
        socketTimeout: SEND_TIMEOUT_MS,
      })
    : undefined;
  return {
    ...(webhook
      ? {
          async webhook(rawBody, signature) {
            try {
              const res = await fetch(webhook.url, {
                method: "POST",
                headers: { "content-type": "application/json", "x-signature": signature },
                body: rawBody,
                redirect: "manual",
                signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
              });
              await res.body?.cancel();
              return res.status >= 200 && res.status < 300
                ? { ok: true }
                : { ok: false, why: `answered ${res.status}` };
            } catch (error) {
              return { ok: false, why: describeError(error) };
            }
          },
        }
      : {}),
    ...(transport
      ? {
          async mail(message) {
            try {
              await transport.sendMail({ from: config.mailFrom, ...message });
              return { ok: true };
            } catch (error) {
              return { ok: false, why: describeError(error) };
            }
          },
        }
      : {}),
    close: () => transport?.close(),
  };
}
