import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pino from "pino";
import type { OnCallConfig } from "../../src/config/env-config";
import { createJobProducer, type JobProducer } from "../../src/jobs/job-queue";
import { createOnCallNotifier } from "../../src/oncall/oncall-notifier";
import { createOnCallSenders } from "../../src/oncall/oncall-senders";
import type { DueOnCall } from "../../src/oncall/oncall-types";
import { gunma } from "../support/presets";
import { startWebhookReceiver } from "../support/oncall-receivers";
import { jst } from "../support/stats-history";
import { createTestDatabase, type TestDatabase } from "../support/test-env";
import { testJobs } from "../support/test-jobs";
import { testSealer } from "../support/sealed";

/**
 * When the on-call people are called, on the real Gunma hours with the clock chosen by the
 * test (西毛 and 東毛 open on weekdays; 中北毛 10:00–17:00; public holidays closed;
 * onCall.highRiskWaitMinutes 10). 2026-11-23 is 勤労感謝の日 (a Monday holiday), 2026-11-24 an
 * ordinary Tuesday. The notifier's parts on a test database; the webhook is a local receiver.
 */
describe("on-call timers", () => {
  let db: TestDatabase;
  let producer: JobProducer;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const logLines: string[] = [];
  const preset = gunma();

  const notifier = (config: Partial<OnCallConfig> = {}, clock?: () => Date) => {
    const onCall: OnCallConfig = {
      webhook: { url: hooks.url, secret: "oncall-webhook-secret-for-tests" },
      smtpUrl: undefined,
      mailFrom: "line-support@localhost",
      publicBaseUrl: undefined,
      ...config,
    };
    const logger = pino(
      { level: "info" },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(chunk.toString("utf8"));
          done();
        },
      }),
    );
    return createOnCallNotifier({
      prisma: db.prisma,
      dispatcher: testJobs(db, producer).dispatcher,
      preset,
      config: onCall,
      senders: createOnCallSenders(onCall),
      logger,
      clock,
    });
  };

  beforeEach(async () => {
    db = await createTestDatabase();
    producer = createJobProducer({ redisUrl: undefined, databaseUrl: db.url }, () => undefined);
    hooks = await startWebhookReceiver();
    logLines.length = 0;
  });
  afterEach(async () => {
    await hooks.close();
    await producer.close();
    await db.drop();
  });

  const SHE_WROTE = "もう死にたい、薬を全部飲んだ";

  /** A high-risk conversation (unless `risk` says otherwise), with her message stored. */
  async function conversation(opts: {
    status: "bot" | "waiting" | "active";
    since: string;
    risk?: "high" | "none";
    regionId?: string;
  }) {
    const hash = randomBytes(16).toString("hex");
    const person = await db.prisma.person.create({
      data: { lineUserHash: hash, lineUserIdEnc: randomBytes(8), pseudonym: `P-${hash}` },
    });
    const at = jst(opts.since);
    const c = await db.prisma.conversation.create({
      data: {
        personId: person.id,
        status: opts.status,
        startedAt: at,
        lastMessageAt: at,
        waitingSince: opts.status === "waiting" ? at : null,
        regionId: opts.regionId ?? "seimo",
        riskLevel: opts.risk ?? "high",
        riskCategories: opts.risk === "none" ? [] : ["suicide"],
      },
    });
    await db.prisma.message.create({
      data: {
        conversationId: c.id,
        personId: person.id,
        direction: "in",
        author: "person",
        kind: "text",
        textEnc: testSealer.seal(SHE_WROTE),
        sentAt: at,
      },
    });
    return c;
  }
  const mine = (due: DueOnCall[], conversationId: string) =>
    due.filter((t) => t.conversationId === conversationId).map((t) => t.kind);
  const kindsOf = async (conversationId: string) =>
    (await db.prisma.onCallNotification.findMany({ where: { conversationId } }))
      .map((n) => n.kind)
      .sort();

  it("calls out of hours on a holiday and at night, not while a region is open", async () => {
    const holiday = await conversation({ status: "waiting", since: "2026-11-23 13:00" });
    const lowRisk = await conversation({
      status: "waiting",
      since: "2026-11-23 13:00",
      risk: "none",
    });
    const taken = await conversation({ status: "active", since: "2026-11-23 13:00" });
    const n = notifier();
    // A Monday afternoon, but a holiday: no region is open.
    const due = await n.due(jst("2026-11-23 13:01"), 100);
    expect(mine(due, holiday.id)).toEqual(["high-risk-out-of-hours"]);
    expect(mine(due, lowRisk.id)).toEqual([]);
    expect(mine(due, taken.id)).toEqual([]);
    // The next day at 11:00 the regions are open: no out-of-hours call for a new one.
    const morning = await conversation({ status: "bot", since: "2026-11-24 10:59" });
    expect(mine(await n.due(jst("2026-11-24 11:00"), 100), morning.id)).toEqual([]);
    // That night at 23:00 every region is closed again.
    expect(mine(await n.due(jst("2026-11-24 23:00"), 100), morning.id)).toEqual([
      "high-risk-out-of-hours",
    ]);
  });

  it("calls when a high-risk wait passes the limit while a region is open, counting open time only", async () => {
    const c = await conversation({ status: "waiting", since: "2026-11-24 11:00" });
    const n = notifier();
    expect(mine(await n.due(jst("2026-11-24 11:09"), 100), c.id)).toEqual([]);
    expect(mine(await n.due(jst("2026-11-24 11:11"), 100), c.id)).toEqual(["high-risk-waiting"]);
    // A wait that began in the night counts from the first opening (西毛 and 東毛 at 9:30).
    const night = await conversation({ status: "waiting", since: "2026-11-25 03:00" });
    expect(mine(await n.due(jst("2026-11-25 09:35"), 100), night.id)).toEqual([]);
    expect(mine(await n.due(jst("2026-11-25 09:41"), 100), night.id)).toEqual([
      "high-risk-waiting",
    ]);
  });

  it("sends once when the job runs twice, and nothing when it runs after someone took her", async () => {
    const c = await conversation({ status: "waiting", since: "2026-11-23 20:00" });
    const n = notifier();
    const now = jst("2026-11-23 20:01");
    const due = await n.due(now, 100);
    for (const timer of [...due, ...due]) await n.fire(timer, now);
    expect(await kindsOf(c.id)).toEqual(["high-risk-out-of-hours"]);
    expect(await db.prisma.jobOutbox.count({ where: { name: "oncall-webhook" } })).toBe(1);
    // The job for `taken` runs after a counsellor took her: nothing is sent.
    const taken = await conversation({ status: "waiting", since: "2026-11-23 20:02" });
    const [timer] = (await n.due(jst("2026-11-23 20:03"), 100)).filter(
      (t) => t.conversationId === taken.id,
    );
    await db.prisma.conversation.update({ where: { id: taken.id }, data: { status: "active" } });
    await n.fire(timer ?? { kind: "high-risk-out-of-hours", conversationId: taken.id, dueAt: now });
    expect(await kindsOf(taken.id)).toEqual([]);
    // Nor when a region opened before the job ran (it was found due at night).
    const opened = await conversation({ status: "waiting", since: "2026-11-24 09:55" });
    await n.fire(
      { kind: "high-risk-out-of-hours", conversationId: opened.id, dueAt: jst("2026-11-24 10:00") },
      jst("2026-11-24 10:05"),
    );
    expect(await kindsOf(opened.id)).toEqual([]);
  });

  it("reminds after ten unacknowledged minutes, once, and not after an acknowledgement", async () => {
    const open = await conversation({ status: "waiting", since: "2026-11-23 02:00" });
    const acked = await conversation({ status: "waiting", since: "2026-11-23 02:00" });
    const n = notifier();
    for (const t of await n.due(jst("2026-11-23 02:00"), 100))
      await n.fire(t, jst("2026-11-23 02:00"));
    await db.prisma.onCallNotification.updateMany({
      where: { conversationId: acked.id },
      data: { acknowledgedAt: jst("2026-11-23 02:05") },
    });
    expect(mine(await n.due(jst("2026-11-23 02:09"), 100), open.id)).toEqual([]);
    const due = await n.due(jst("2026-11-23 02:10"), 100);
    expect(mine(due, open.id)).toEqual(["reminder"]);
    expect(mine(due, acked.id)).toEqual([]);
    // A reminder job for the acknowledged one (found before the acknowledgement) sends nothing.
    await n.fire(
      { kind: "reminder", conversationId: acked.id, dueAt: jst("2026-11-23 02:10") },
      jst("2026-11-23 02:10"),
    );
    for (const t of [...due, ...due]) await n.fire(t, jst("2026-11-23 02:10"));
    expect(await kindsOf(open.id)).toEqual(["high-risk-out-of-hours", "reminder"]);
    expect(await kindsOf(acked.id)).toEqual(["high-risk-out-of-hours"]);
    expect(mine(await n.due(jst("2026-11-23 02:30"), 100), open.id)).toEqual([]);
  });

  it("retries an unreachable webhook under the same id, gives up after an hour, and logs no words of hers", async () => {
    let now = jst("2026-11-23 02:00");
    const c = await conversation({ status: "waiting", since: "2026-11-23 02:00" });
    // First nobody listens at all, then the receiver answers 500, then it takes the call.
    const unreachable = notifier(
      { webhook: { url: "http://127.0.0.1:9/hooks", secret: "s".repeat(20) } },
      () => now,
    );
    const n = notifier({}, () => now);
    for (const t of await n.due(now, 100)) await n.fire(t);
    const [made] = await db.prisma.onCallNotification.findMany({ where: { conversationId: c.id } });
    const id = made?.id ?? "";
    expect(await unreachable.sendWebhook(id)).toBe("retry");
    hooks.failNext(500);
    expect(await n.sendWebhook(id)).toBe("retry");
    expect(await n.sendWebhook(id)).toBe("done");
    expect(hooks.received.map((h) => [h.status, h.json.id])).toEqual([
      [500, id],
      [200, id],
    ]);
    // Sent: a job that runs again does not post again.
    expect(await n.sendWebhook(id)).toBe("done");
    expect(hooks.received).toHaveLength(2);

    // Another call whose receiver keeps failing: retried for an hour, then given up and logged.
    const other = await conversation({ status: "bot", since: "2026-11-23 02:30" });
    now = jst("2026-11-23 02:30");
    for (const t of await n.due(now, 100)) await n.fire(t);
    const failing = await db.prisma.onCallNotification.findFirstOrThrow({
      where: { conversationId: other.id },
    });
    hooks.failNext(503, 503);
    now = jst("2026-11-23 03:29");
    expect(await n.sendWebhook(failing.id)).toBe("retry");
    now = jst("2026-11-23 03:31");
    expect(await n.sendWebhook(failing.id)).toBe("given-up");
    expect(
      (await db.prisma.onCallNotification.findUniqueOrThrow({ where: { id: failing.id } }))
        .gaveUpAt,
    ).toEqual(now);
    const givenUp = logLines.filter((l) => l.includes("given up"));
    expect(givenUp).toHaveLength(1);
    expect(JSON.parse(givenUp[0] ?? "{}")).toMatchObject({
      notificationId: failing.id,
      channel: "webhook",
      why: "answered 503",
    });
    const person = await db.prisma.person.findFirstOrThrow({
      where: { conversations: { some: { id: other.id } } },
    });
    for (const line of logLines) {
      expect(line).not.toContain("死にたい");
      expect(line).not.toContain(person.pseudonym);
    }
  });
});
