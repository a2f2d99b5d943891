import { createJobProducer, createJobWorker } from "../../src/jobs/job-queue";
import { eventually } from "../support/eventually";
import { createTestDatabase, type TestDatabase } from "../support/test-env";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

/**
 * The job queue on its PostgreSQL backend, reached for the first time while the database is
 * away (a restart, a failover): BullMQ remembers the failed first contact for good, so without
 * care every later job would fail too, long after the database is back, until a restart.
 */
const SECOND_JOB = { name: "retention", payload: { day: "2026-12-02" } };

describe("the PostgreSQL queue's first contact", () => {
  let db: TestDatabase;
  let proxy: TcpProxy;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(db.url);
  });
  afterAll(async () => {
    await proxy.close();
    await db.drop();
  });

  it("takes jobs again once the database is back, when its first contact failed", async () => {
    const producer = createJobProducer(
      { redisUrl: undefined, databaseUrl: proxy.url },
      () => undefined,
    );
    try {
      proxy.cut();
      await expect(producer.ping()).rejects.toThrow();
      proxy.restore();
      await producer.add([
        { request: { name: "retention", payload: { day: "2026-12-01" } }, attempt: 0 },
      ]);
      expect(await producer.state("retention-2026-12-01")).not.toBe("unknown");
    } finally {
      await producer.close();
    }
  });

  it("works through jobs once the database is back, when a worker's first contact failed", async () => {
    const done: unknown[] = [];
    const errors: string[] = [];
    // A partition: connections are accepted and never answered.
    proxy.hold();
    const worker = createJobWorker(
      { redisUrl: undefined, databaseUrl: proxy.url },
      (name, payload) => {
        done.push({ name, payload });
        return Promise.resolve();
      },
      1,
      (message) => errors.push(message),
    );
    const producer = createJobProducer(
      { redisUrl: undefined, databaseUrl: db.url },
      () => undefined,
    );
    try {
      // The worker has tried and failed to reach the database at least once.
      await eventually(
        () => Promise.resolve(errors),
        (e) => e.some((m) => m.includes("could not reach the database")),
        30_000,
      );
      proxy.restore();
      await producer.add([
        { request: { name: "retention", payload: SECOND_JOB.payload }, attempt: 0 },
      ]);
      await eventually(
        () => Promise.resolve(done),
        (jobs) => jobs.some((j) => JSON.stringify(j) === JSON.stringify(SECOND_JOB)),
        60_000,
      );
    } finally {
      proxy.restore();
      await worker.close();
      await producer.close();
    }
  });
});
