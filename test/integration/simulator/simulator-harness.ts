import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { messagingApi, validateSignature, webhook } from "@line/bot-sdk";
import { LineSimulator, type LineSimulatorOptions } from "../../../src/simulator/line-simulator";

export const CHANNEL_SECRET = "8c570fa6dd201bb328f1c1eac23a96d8";
export const CHANNEL_ACCESS_TOKEN = "sim-test-access-token";

export interface ReceivedWebhook {
  signatureValid: boolean;
  raw: string;
  body: webhook.CallbackRequest;
}

/**
 * A stand-in bot for the simulator's tests: checks the signature with @line/bot-sdk's own
 * validateSignature, records what it got, and answers with `status` (200 unless changed).
 */
export class RecordingWebhook {
  readonly received: ReceivedWebhook[] = [];
  status = 200;
  onEvents: ((events: webhook.Event[]) => Promise<void>) | undefined;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const signature = String(req.headers["x-line-signature"] ?? "");
        const body = JSON.parse(raw) as webhook.CallbackRequest;
        this.received.push({
          raw,
          body,
          signatureValid: validateSignature(raw, CHANNEL_SECRET, signature),
        });
        void (this.onEvents?.(body.events) ?? Promise.resolve()).finally(() => {
          res.writeHead(this.status).end();
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/webhook`;
  }

  events(): webhook.Event[] {
    return this.received.flatMap((r) => r.body.events);
  }

  lastEvent(): webhook.Event {
    const event = this.events().at(-1);
    if (!event) throw new Error("no webhook event received");
    return event;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface Harness {
  sim: LineSimulator;
  baseUrl: string;
  bot: RecordingWebhook;
  client: messagingApi.MessagingApiClient;
  blob: messagingApi.MessagingApiBlobClient;
  /** The simulator's clock; tests move it forward to expire reply tokens. */
  clock: { now: number };
  close(): Promise<void>;
}

/** A simulator on a free port, a recording bot behind its webhook, and SDK clients for it. */
export async function startHarness(opts: Partial<LineSimulatorOptions> = {}): Promise<Harness> {
  const clock = { now: Date.now() };
  const bot = new RecordingWebhook();
  const webhookUrl = await bot.start();
  const sim = new LineSimulator({
    channelSecret: CHANNEL_SECRET,
    channelAccessToken: CHANNEL_ACCESS_TOKEN,
    webhookUrl,
    now: () => clock.now,
    ...opts,
  });
  const { baseUrl } = await sim.listen();
  const config = { channelAccessToken: CHANNEL_ACCESS_TOKEN, baseURL: baseUrl };
  return {
    sim,
    baseUrl,
    bot,
    clock,
    client: new messagingApi.MessagingApiClient(config),
    blob: new messagingApi.MessagingApiBlobClient(config),
    close: async () => {
      await sim.close();
      await bot.stop();
    },
  };
}

/** A raw call to the simulator, for what the SDK cannot send (bad JSON, no token, ...). */
export async function call(
  baseUrl: string,
  path: string,
  init: {
    method?: string;
    body?: unknown;
    token?: string | null;
    headers?: Record<string, string>;
  },
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  const token = init.token === undefined ? CHANNEL_ACCESS_TOKEN : init.token;
  if (token !== null) headers["authorization"] = `Bearer ${token}`;
  const body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  const response = await fetch(baseUrl + path, {
    method: init.method ?? "POST",
    headers,
    body: init.method === "GET" ? undefined : body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (binary content): keep the text.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The reply token of the bot's latest webhook event. */
export function lastReplyToken(bot: RecordingWebhook): string {
  const event = bot.lastEvent();
  if (!("replyToken" in event) || typeof event.replyToken !== "string") {
    throw new Error(`latest event (${event.type}) has no reply token`);
  }
  return event.replyToken;
}
