import { testSealer } from "../support/sealed";
import { randomUUID } from "node:crypto";
import { createFlowResponder } from "../../src/conversations/flow-responder";
import { createQueueTimers } from "../../src/conversations/queue-timers";
import { createSilenceService } from "../../src/conversations/silence-service";
import type { JobRequest } from "../../src/jobs/job-catalog";
import { createJobProducer, type JobProducer } from "../../src/jobs/job-queue";
import { dueHeldDeliveries } from "../../src/line/outbound-service";
import { createLogger } from "../../src/logger";
import { createOnCallNotifier } from "../../src/oncall/oncall-notifier";
import { createOnCallSenders } from "../../src/oncall/oncall-senders";
import { retentionDay } from "../../src/privacy/retention-service";
import { createOutboxSweeper, type OutboxSweeper } from "../../src/worker/outbox-sweeper";
import { useJapaneseAnalyser } from "../support/japanese-analyser";
import { gunma } from "../support/presets";
import { createTestDatabase, testConfig, type TestDatabase } from "../support/test-env";
import { testJobs } from "../support/test-jobs";

/**
 * The sweep on a pile of work that never reached the queue (it was down when the work was
 * committed): it moves all of it, a batch per pass, the work not looked at for longest first,
 * so old work never hides newer work; and once nothing is left to do, a pass does nothing.
 * BullMQ on the test database's PostgreSQL; no worker runs, so moved jobs stay waiting.
 */
const analyse = useJapaneseAnalyser();

describe("the outbox sweep", () => {
  let db: TestDatabase;
  let live: JobProducer;
  let down: JobProducer;
  let sweeper: OutboxSweeper;
  let deps: Parameters<typeof createOutboxSweeper>[0];

  beforeEach(async () => {
    db = await createTestDatabase();
    live = createJobProducer({ redisUrl: undefined, databaseUrl: db.url }, () => undefined);
    // A Redis nobody listens on: every add fails at once, as when the queue is down.
    down = createJobProducer({ redisUrl: "redis://127.0.0.1:1", databaseUrl: db.url }, () => {});
    const { dispatcher, outbox } = testJobs(db, live);
    const preset = gunma();
    deps = {
      outbox,
      dispatcher,
      producer: live,
      bury: () => Promise.reject(new Error("no job failed in this test")),
      silence: createSilenceService({
        prisma: db.prisma,
        dispatcher,
        responder: createFlowResponder(preset, analyse, testSealer),
        sealer: testSealer,
      }),
      queueTimers: createQueueTimers({ prisma: db.prisma, dispatcher, preset, sealer: testSealer }),
      heldDeliveries: (now, limit) => dueHeldDeliveries(db.prisma, now, limit),
      onCall: createOnCallNotifier({
        prisma: db.prisma,
        dispatcher,
        preset,
        config: testConfig({ databaseUrl: db.url }).onCall,
        senders: createOnCallSenders(testConfig({ databaseUrl: db.url }).onCall),
        logger: createLogger("silent"),
      }),
      logger: createLogger("silent"),
      graceMs: 0,
      batch: 2,
    };
    sweeper = createOutboxSweeper(deps);
  });
  afterEach(async () => {
    await live.close();
    await down.close();
    await db.drop();
  });

  it("moves every job the queue missed, two per pass, oldest unseen first, then rests", async () => {
    const jobs: JobRequest[] = Array.from({ length: 5 }, (_, i) => ({
      name: "mark-read",
      payload: {
        conversationId: randomUUID(),
        readAt: new Date(Date.UTC(2026, 10, 30, 9, i)).toISOString(),
      },
    }));
    const whileDown = testJobs(db, down).dispatcher;
    for (const job of jobs) expect(await whileDown.write([job])).toBe(1);
    await whileDown.settle(5000);
    const keys = (
      await db.prisma.jobOutbox.findMany({ orderBy: [{ createdAt: "asc" }, { key: "asc" }] })
    ).map((r) => r.key);
    const states = () => Promise.all(keys.map((k) => live.state(k)));
    expect(await states()).toEqual(Array(5).fill("unknown"));

    const moved: number[] = [];
    const queued: string[][] = [];
    for (let pass = 0; pass < 3; pass += 1) {
      moved.push((await sweeper.sweep()).moved);
      queued.push(await states());
    }
    expect(moved).toEqual([2, 2, 1]);
    // The oldest two first; then the three not looked at yet, before the two seen already.
    expect(queued.map((s) => s.map((state) => state !== "unknown"))).toEqual([
      [true, true, false, false, false],
      [true, true, true, true, false],
      [true, true, true, true, true],
    ]);
    expect(await sweeper.sweep()).toEqual({
      timers: 0,
      moved: 0,
      settled: 0,
      resumed: 0,
      redriven: 0,
      pruned: 0,
    });
  });

  it("writes the daily retention job once a day, whichever of several workers sweeps first", async () => {
    const daily = (now: Date): JobRequest[] => [
      { name: "retention", payload: { day: retentionDay(now) } },
    ];
    let clock = new Date("2026-11-30T17:59:00Z"); // 02:59 in Tokyo: still the 30th's run
    const workers = [1, 2].map(() => createOutboxSweeper({ ...deps, daily, now: () => clock }));
    const retentionKeys = async () =>
      (
        await db.prisma.jobOutbox.findMany({
          where: { name: "retention" },
          orderBy: { key: "asc" },
        })
      ).map((r) => r.key);
    expect((await workers[0]?.sweep())?.timers).toBe(1);
    expect((await workers[1]?.sweep())?.timers).toBe(0);
    expect(await retentionKeys()).toEqual(["retention-2026-11-30"]);
    clock = new Date("2026-11-30T18:00:00Z"); // 03:00 in Tokyo: the 1st's run falls due
    expect((await workers[1]?.sweep())?.timers).toBe(1);
    expect((await workers[0]?.sweep())?.timers).toBe(0);
    expect(await retentionKeys()).toEqual(["retention-2026-11-30", "retention-2026-12-01"]);
    await deps.dispatcher.settle(5000);
    expect(await live.state("retention-2026-12-01")).not.toBe("unknown");
  });
});
