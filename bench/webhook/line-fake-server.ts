/**
 * The LINE Messaging API as bench:webhook's `npm start` run needs it when processing is on: the
 * worker's replies, pushes and loading animations are taken as LINE takes them (200 with the
 * sent messages' ids, 202 for the animation), so the run measures the service, not a network.
 * It checks what LINE would refuse at once (no bearer token, not 1 to 5 messages) and counts calls.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LineCalls {
  reply: number;
  push: number;
  loading: number;
  refused: number;
}

export interface LineFake {
  url: string;
  /** Calls taken, by endpoint, and calls refused. */
  calls: LineCalls;
  close(): Promise<void>;
}

export async function startLineFake(): Promise<LineFake> {
  const calls: LineCalls = { reply: 0, push: 0, loading: 0, refused: 0 };
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => answer(req, res, body, calls))
      .catch(() => send(res, 400, { message: "The request body could not be read" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(req: IncomingMessage, res: ServerResponse, body: string, calls: LineCalls): void {
  const endpoints: Record<string, "reply" | "push" | "loading"> = {
    "/v2/bot/message/reply": "reply",
    "/v2/bot/message/push": "push",
    "/v2/bot/chat/loading/start": "loading",
  };
  const endpoint = endpoints[req.url ?? ""];
  const refuse = (status: number, message: string) => {
    calls.refused += 1;
    send(res, status, { message });
  };
  if (req.method !== "POST" || !endpoint) return refuse(404, "Not found");
  if (!/^Bearer \S+$/.test(req.headers.authorization ?? "")) {
    return refuse(401, "Authentication failed due to the following reason: no token");
  }
  const json = JSON.parse(body || "{}") as { messages?: unknown[] };
  calls[endpoint] += 1;
  if (endpoint === "loading") return send(res, 202, {});
  const messages = json.messages ?? [];
  if (messages.length < 1 || messages.length > 5)
    return refuse(400, "The request body has 1 error(s)");
  send(res, 200, {
    sentMessages: messages.map(() => ({
      id: String(Date.now()) + String(randomBytes(2).readUInt16BE()),
      quoteToken: randomBytes(16).toString("base64url"),
    })),
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-line-request-id": randomBytes(8).toString("hex"),
  });
  res.end(JSON.stringify(body));
}
