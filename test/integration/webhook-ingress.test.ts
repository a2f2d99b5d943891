import { readFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import pino from "pino";
import { startRuntime, type Runtime } from "../../src/main/runtime";
import { eventually } from "../support/eventually";
import { metricSum, scrapeMetrics } from "../support/metrics";
import {
  createTestDatabase,
  createTestRedisUrl,
  testConfig,
  type TestDatabase,
} from "../support/test-env";
import {
  body,
  newEventId,
  newUserId,
  postBytes,
  postWebhook,
  sign,
  textEvent,
} from "../support/webhook-client";
import { messagesWithText } from "../support/sealed";

const FIXTURES = path.resolve(__dirname, "../../../shared/line/fixtures");
const loadFixture = (name: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, name), "utf8")) as {
    events: Record<string, unknown>[];
  };

/** The service's log lines (pino JSON), kept for the tests to read. */
function capturedLogs() {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
  type Entry = { level: number; msg: string; reason?: string };
  return {
    logger,
    lines,
    entries: (from = 0) => lines.slice(from).map((l) => JSON.parse(l) as Entry),
  };
}

/**
 * Sends headers promising 100 bytes, 10 of them, and hangs up: a request cut short on the way.
 * Resolves with what came back (Node's HTTP parser answers it itself).
 */
function postCutShort(baseUrl: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    let answer = "";
    const socket = connect(Number(port), hostname, () => {
      socket.end(
        "POST /webhook/line HTTP/1.1\r\nHost: service\r\nContent-Type: application/json\r\n" +
          'Content-Length: 100\r\n\r\n{"events":',
      );
    });
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.on("error", () => undefined); // "close" follows
    socket.on("close", () => resolve(answer));
  });
}

describe.each(["redis", "postgres"] as const)("webhook ingress (BullMQ on %s)", (queue) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let url: string;
  let redisUrl: string | undefined;
  const logs = capturedLogs();

  beforeAll(async () => {
    db = await createTestDatabase();
    redisUrl = queue === "redis" ? await createTestRedisUrl() : undefined;
    runtime = await startRuntime(testConfig({ databaseUrl: db.url, redisUrl }), {
      web: true,
      worker: true,
      sweepIntervalMs: 200,
      logger: logs.logger,
    });
    url = runtime.url ?? "";
  });
  afterAll(async () => {
    await runtime.stop();
    await db.drop();
  });

  it("accepts LINE's official signature test vector and answers a connection check with 200", async () => {
    const official = '{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}';
    const res = await postWebhook(url, official, {
      "x-line-signature": "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=",
    });
    expect(res.status).toBe(200);
  });

  it("rejects a missing or wrong signature with 401 and stores nothing", async () => {
    const payload = body([textEvent(newUserId(), "こんにちは")]);
    const missing = await postWebhook(url, payload, {});
    const wrong = await postWebhook(url, payload, {
      "x-line-signature": sign(payload, "another-secret"),
    });
    expect(missing).toMatchObject({ status: 401, json: { code: "SIGNATURE_INVALID" } });
    expect(wrong).toMatchObject({ status: 401, json: { code: "SIGNATURE_INVALID" } });
    expect(await db.prisma.webhookEvent.count()).toBe(0);
  });

  it("answers 400 to malformed JSON and 413 to a body over 1 MiB, without echoing the body", async () => {
    const malformed = await postWebhook(url, '{"events": [');
    expect(malformed).toMatchObject({ status: 400, json: { code: "BODY_NOT_JSON" } });
    expect(JSON.stringify(malformed.json)).not.toContain("events");
    const notLine = await postWebhook(url, '{"hello": 1}');
    expect(notLine).toMatchObject({ status: 400, json: { code: "WEBHOOK_MALFORMED" } });
    const huge = body([textEvent(newUserId(), "あ".repeat(400_000))]);
    expect(await postWebhook(url, huge)).toMatchObject({
      status: 413,
      json: { code: "BODY_TOO_LARGE" },
    });
  });

  it("stores every event type of LINE's fixtures, and processes or ignores each without failing", async () => {
    const events = [
      ...loadFixture("python-sdk-v3-webhook.json").events,
      ...loadFixture("python-sdk-legacy-webhook.json").events,
    ].map((event) => ({ ...event, webhookEventId: newEventId() }));
    const res = await postWebhook(url, body(events));
    expect(res.status).toBe(200);
    expect(await db.prisma.webhookEvent.count()).toBe(events.length);
    // 55 events at once: a deadline generous enough for a busy machine.
    const settled = await eventually(
      () => db.prisma.webhookEvent.groupBy({ by: ["status"], _count: true }),
      (groups) => groups.every((g) => g.status === "processed" || g.status === "ignored"),
      60_000,
    );
    expect(settled.reduce((n, g) => n + g._count, 0)).toBe(events.length);
    const types = await db.prisma.webhookEvent.findMany({
      distinct: ["type"],
      select: { type: true },
    });
    expect(types.map((t) => t.type)).toEqual(
      expect.arrayContaining([
        "message",
        "follow",
        "unfollow",
        "postback",
        "unsend",
        "messageEdited",
      ]),
    );
  }, 90_000);

  it("answers 4xx, never 503, to a body it cannot read, so LINE does not send it again; logs it at warn, never the body", async () => {
    const mark = logs.lines.length;
    const unreadable = body([textEvent(newUserId(), "読めない本文")]);
    const plain = Buffer.from(unreadable);
    const gzipped = gzipSync(plain);
    // Labelled gzip but not gzip, unsigned.
    expect(await postBytes(url, plain, { "content-encoding": "gzip" })).toMatchObject({
      status: 400,
      json: { code: "BODY_UNREADABLE" },
    });
    // Signed, but the gzip stream is cut short.
    const cut = gzipped.subarray(0, gzipped.length - 12);
    expect(
      await postBytes(url, cut, {
        "content-encoding": "gzip",
        "x-line-signature": sign(unreadable),
      }),
    ).toMatchObject({ status: 400, json: { code: "BODY_UNREADABLE" } });
    expect(await postBytes(url, plain, { "content-encoding": "compress" })).toMatchObject({
      status: 415,
      json: { code: "BODY_ENCODING_UNSUPPORTED" },
    });
    // Small on the wire, over 1 MiB once inflated.
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, " "));
    expect(await postBytes(url, bomb, { "content-encoding": "gzip" })).toMatchObject({
      status: 413,
      json: { code: "BODY_TOO_LARGE" },
    });
    expect(await postCutShort(url)).toMatch(/^HTTP\/1\.1 400 /);

    // A signed body after them all is stored and acknowledged.
    const event = textEvent(newUserId(), "届く");
    expect((await postWebhook(url, body([event]))).status).toBe(200);
    expect(
      await db.prisma.webhookEvent.count({ where: { webhookEventId: event.webhookEventId } }),
    ).toBe(1);

    // Worth a look (a proxy may be mangling LINE's requests), not an alarm.
    const refused = await eventually(
      () => Promise.resolve(logs.entries(mark).filter((l) => l.msg === "webhook body unreadable")),
      (lines) => lines.length === 5,
    );
    expect(refused.map((l) => [l.level, l.reason])).toEqual([
      [40, "Z_DATA_ERROR"],
      [40, "Z_BUF_ERROR"],
      [40, "encoding.unsupported"],
      [40, "entity.too.large"],
      [40, "request.aborted"],
    ]);
    expect(logs.entries(mark).filter((l) => l.level >= 50)).toEqual([]);
    expect(logs.lines.slice(mark).join("\n")).not.toContain("読めない");
  });

  it("stores a redelivered or duplicated event once", async () => {
    const deduplicated = async () =>
      metricSum(await scrapeMetrics(url), "line_webhook_events_deduplicated_total");
    const dedupBefore = await deduplicated();
    const event = textEvent(newUserId(), "一度だけ");
    const first = await postWebhook(url, body([event]));
    const again = await postWebhook(
      url,
      body([{ ...event, deliveryContext: { isRedelivery: true } }]),
    );
    const twiceInOne = await postWebhook(url, body([event, event]));
    expect([first.status, again.status, twiceInOne.status]).toEqual([200, 200, 200]);
    expect(
      await db.prisma.webhookEvent.count({ where: { webhookEventId: event.webhookEventId } }),
    ).toBe(1);
    await eventually(
      () => messagesWithText(db.prisma, {}, "一度だけ").then((m) => m.length),
      (n) => n === 1,
    );
    // The redelivery, and both copies in the third request: all already stored.
    expect((await deduplicated()) - dedupBefore).toBe(3);
  });

  it("processes one person's events in timestamp order, whatever order they arrived in", async () => {
    const userId = newUserId();
    const t0 = Date.now();
    const events = [3, 1, 4, 0, 2].map((i) =>
      textEvent(userId, `順番${i}`, { timestamp: t0 + i * 1000 }),
    );
    expect((await postWebhook(url, body(events))).status).toBe(200);
    const messages = await eventually(
      () =>
        messagesWithText(db.prisma, { direction: "in" }, (t) => t.startsWith("順番")).then((m) =>
          m.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
        ),
      (rows) => rows.length === 5,
    );
    expect(messages.map((m) => m.text)).toEqual(["順番0", "順番1", "順番2", "順番3", "順番4"]);
  });

  it("stores standby-mode and group events but does not act on them", async () => {
    const standby = { ...textEvent(newUserId(), "standby"), mode: "standby" };
    const group = {
      ...textEvent(newUserId(), "group"),
      source: { type: "group", groupId: "Cabc", userId: newUserId() },
    };
    expect((await postWebhook(url, body([standby, group]))).status).toBe(200);
    const rows = await eventually(
      () =>
        db.prisma.webhookEvent.findMany({
          where: { webhookEventId: { in: [standby.webhookEventId, group.webhookEventId] } },
        }),
      (r) => r.length === 2 && r.every((e) => e.status === "ignored"),
    );
    expect(rows).toHaveLength(2);
    expect(
      await messagesWithText(db.prisma, {}, (t) => ["standby", "group"].includes(t)),
    ).toHaveLength(0);
  });

  it("keeps no LINE user id, message text or reply token readable in the stored event", async () => {
    const event = textEvent(newUserId(), "秘密の相談内容");
    await postWebhook(url, body([event]));
    const row = await db.prisma.webhookEvent.findUniqueOrThrow({
      where: { webhookEventId: event.webhookEventId },
    });
    const raw = Buffer.from(row.payloadEnc ?? []).toString("latin1");
    expect(raw).not.toContain(event.source.userId);
    expect(raw).not.toContain(event.replyToken);
    expect(Buffer.from(row.payloadEnc ?? []).includes(Buffer.from("秘密"))).toBe(false);
    expect(row.sourceKey).not.toContain(event.source.userId);
  });

  it("reports ready only while the database and the queue answer", async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
