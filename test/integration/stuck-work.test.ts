import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QUEUE_NAME } from "../../src/jobs/job-catalog";
import { startRuntime, type Runtime } from "../../src/main/runtime";
import { createSealer } from "../../src/privacy/sealer";
import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { LineSimulator } from "../../src/simulator/line-simulator";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { settledIn, turn, watchService } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { handOff } from "../support/handoff";
import { gunmaOpenAroundTheClock } from "../support/presets";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import {
  createTestDatabase,
  createTestRedisUrl,
  testConfig,
  TEST_ACCESS_TOKEN,
  TEST_CHANNEL_SECRET,
  type TestDatabase,
} from "../support/test-env";
import { messagesWithText } from "../support/sealed";

/**
 * Work that could not be finished when it was asked for: the job outbox keeps it, and the sweep
 * finishes it once its cause has cleared. Web and worker are separate processes' worth of
 * runtime here: the web role keeps its database, the worker reaches it through a proxy the
 * test cuts, and the queue is on Redis (so it stays up while the database is away).
 */
describe("work the worker could not finish", () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let sim: LineSimulator;
  let queue: Queue;
  let redis: Redis;
  const runtimes: Runtime[] = [];
  let unwatch: () => void = () => undefined;

  afterEach(async () => {
    unwatch();
    for (const r of runtimes.splice(0)) await r.stop();
    await queue.close();
    redis.disconnect();
    await proxy.close();
    await sim.close();
    await db.drop();
  });

  /**
   * Database, proxy, LINE and Redis, and the web role on the database directly; the worker is
   * started by `startWorker`, through the proxy when asked. Back-offs and re-drives are
   * `jobBackoffScale` of the real ones.
   */
  async function setUp(jobBackoffScale: number) {
    db = await createTestDatabase();
    proxy = await startTcpProxy(db.url);
    sim = new LineSimulator({
      channelSecret: TEST_CHANNEL_SECRET,
      channelAccessToken: TEST_ACCESS_TOKEN,
    });
    const { baseUrl } = await sim.listen();
    const redisUrl = await createTestRedisUrl();
    redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(QUEUE_NAME, { connection: redis });
    const options = { preset: gunmaOpenAroundTheClock(), jobBackoffScale };
    const config = testConfig({ databaseUrl: db.url, redisUrl, lineApiBaseUrl: baseUrl });
    const web = await startRuntime(config, { ...options, web: true, worker: false });
    runtimes.push(web);
    sim.setWebhookUrl(`${web.url}/webhook/line`);
    unwatch = watchService(settledIn(db.prisma, config.appSecretKey));
    return {
      url: web.url ?? "",
      config,
      async startWorker(throughProxy: boolean) {
        const databaseUrl = throughProxy ? proxy.url : db.url;
        runtimes.push(
          await startRuntime(
            { ...config, databaseUrl },
            { ...options, web: false, worker: true, sweepIntervalMs: 200, sweepGraceMs: 1000 },
          ),
        );
      },
    };
  }

  /** West has taken her conversation (handed off in 西毛); its id. */
  async function takenByWest(url: string, her: SimulatedPerson, appSecretKey: string) {
    await account(db.prisma, "west", "counsellor", "seimo");
    const west = await ConsoleClient.signedIn(url, "west", PASSWORD);
    await handOff(her, "富岡");
    const { id } = await db.prisma.conversation.findFirstOrThrow({
      where: { person: { lineUserHash: createSealer(appSecretKey).hash(her.userId) } },
    });
    expect((await west.call("POST", `/api/v1/conversations/${id}/claim`)).status).toBe(200);
    return { west, id };
  }

  it("is done once the database is back, after an outage longer than all of the jobs' attempts", async () => {
    // Back-offs a thousandth of the real ones: every attempt fails within the outage.
    const { url, config, startWorker } = await setUp(0.001);
    await startWorker(true);
    const her = sim.person();
    const { west, id } = await takenByWest(url, her, config.appSecretKey);

    proxy.cut();
    // The web role stores both while the worker cannot reach the database.
    const said = await her.say("停電のあいだに書きました");
    expect(said.status).toBe(200);
    const sent = await west.call("POST", `/api/v1/conversations/${id}/messages`, {
      text: "停電のあいだの返事です",
    });
    expect(sent.status).toBe(201);
    const event = await db.prisma.webhookEvent.findUniqueOrThrow({
      where: { webhookEventId: said.webhookEventId },
    });
    const delivery = await db.prisma.outboundDelivery.findFirstOrThrow({
      where: { messages: { some: { conversationId: id, author: "counsellor" } } },
    });
    // BullMQ has given up both jobs, and the worker could not even record that.
    for (const jobId of [`evt-${event.id}`, `dlv-${delivery.id}`]) {
      await eventually(
        () => queue.getJobState(jobId),
        (state) => state === "failed",
        30_000,
      );
    }
    proxy.restore();

    const inbound = () =>
      messagesWithText(db.prisma, { conversationId: id }, "停電のあいだに書きました").then(
        (m) => m.length,
      );
    await eventually(inbound, (n) => n === 1, 30_000);
    await eventually(
      () =>
        Promise.resolve(her.received().filter((m) => m.text === "停電のあいだの返事です").length),
      (n) => n === 1,
      30_000,
    );
    expect(
      await db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } }),
    ).toMatchObject({ status: "processed" });
    expect(
      await db.prisma.outboundDelivery.findUniqueOrThrow({ where: { id: delivery.id } }),
    ).toMatchObject({ status: "sent" });
    // Re-driven under new job ids: the failed jobs were kept and did not block their work.
    expect(await queue.getJobState(`evt-${event.id}`)).toBe("failed");
    await eventually(
      () =>
        db.prisma.jobOutbox.findMany({
          where: { key: { in: [`evt-${event.id}`, `dlv-${delivery.id}`] } },
          select: { state: true, attempt: true },
        }),
      (rows) => rows.length === 2 && rows.every((r) => r.state === "done" && r.attempt === 1),
    );
    expect(await inbound()).toBe(1);
  }, 120_000);

  it("runs at once, when the database is back, a job waiting out a back-off it began while the database was down", async () => {
    // Back-offs ten times the real ones: her event's third try would wait 20 s.
    const { startWorker } = await setUp(10);
    await startWorker(true);
    const her = sim.person();
    await turn(her, (p) => p.follow());

    proxy.cut();
    const said = await her.say("聞こえますか");
    expect(said.status).toBe(200);
    const { id } = await db.prisma.webhookEvent.findUniqueOrThrow({
      where: { webhookEventId: said.webhookEventId },
    });
    await eventually(
      async () => {
        const job = await queue.getJob(`evt-${id}`);
        return { tries: job?.attemptsMade, state: await job?.getState() };
      },
      (job) => job.tries === 2 && job.state === "delayed",
      30_000,
    );
    // From here BullMQ would wait 20 s before the next try.
    const backOffEnds = Date.now() + 20_000;
    proxy.restore();
    const event = await eventually(
      () => db.prisma.webhookEvent.findUniqueOrThrow({ where: { id } }),
      (e) => e.status === "processed",
      30_000,
    );
    expect(event.processedAt?.getTime()).toBeLessThan(backOffEnds);
    expect((await messagesWithText(db.prisma, { direction: "in" }, "聞こえますか")).length).toBe(1);
  }, 60_000);

  it("is given up after its re-drives when the cause stays, listed for an admin, and done by her retry once the cause is fixed", async () => {
    // Back-offs and re-drives a ten-thousandth of the real ones: given up within seconds.
    const { url, startWorker } = await setUp(0.0001);
    await account(db.prisma, "admin", "admin", null);
    await account(db.prisma, "west", "counsellor", "seimo");
    const admin = await ConsoleClient.signedIn(url, "admin", PASSWORD);
    const west = await ConsoleClient.signedIn(url, "west", PASSWORD);

    // Her first message is stored while no worker runs; then its record is made unreadable to
    // this service (sealed under another key: a botched key rotation), a cause no retry clears.
    const her = sim.person();
    expect((await her.follow()).status).toBe(200);
    const event = await db.prisma.webhookEvent.findFirstOrThrow();
    const otherKey = createSealer("another-app-secret-key-0123456789abcdef-012345");
    const readable = event.payloadEnc;
    await db.prisma.webhookEvent.update({
      where: { id: event.id },
      data: { payloadEnc: otherKey.seal("{}") },
    });
    await startWorker(false);
    const key = `evt-${event.id}`;
    await eventually(
      () => db.prisma.jobOutbox.findUniqueOrThrow({ where: { key } }),
      (row) => row.state === "dead" && row.dueAt === null,
      30_000,
    );
    // Given up: her event is failed for good, not left "received" for ever. The worker marks it
    // just after burying the job (job-handlers.ts bury), so it is waited for, not assumed.
    expect(
      await eventually(
        () => db.prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } }),
        (e) => e.status !== "received",
      ),
    ).toMatchObject({ status: "failed" });

    const listed = await admin.get("/api/v1/stuck-work");
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual([
      expect.objectContaining({
        key,
        job: "process-event",
        state: "given-up",
        attempt: 6,
        nextAttemptAt: null,
        lastError: "AppError: Stored data cannot be opened with APP_SECRET_KEY",
      }),
    ]);
    expect((await west.get("/api/v1/stuck-work")).status).toBe(403);
    expect((await west.post(`/api/v1/stuck-work/${key}/retry`)).status).toBe(403);
    expect((await admin.post("/api/v1/stuck-work/evt-0/retry")).status).toBe(404);

    // The cause fixed (the record readable again), an admin retries: she gets her greeting, once.
    await db.prisma.webhookEvent.update({
      where: { id: event.id },
      data: { payloadEnc: readable },
    });
    const retried = await admin.post(`/api/v1/stuck-work/${key}/retry`);
    expect(retried).toMatchObject({ status: 200, json: { key, state: "waiting", attempt: 7 } });
    await eventually(
      () => Promise.resolve(her.received().length),
      (n) => n > 0,
    );
    await eventually(
      () => db.prisma.jobOutbox.findUniqueOrThrow({ where: { key } }),
      (row) => row.state === "done",
    );
    expect((await admin.get("/api/v1/stuck-work")).json).toEqual([]);
    expect(await db.prisma.outboundDelivery.count()).toBe(1);
  }, 120_000);
});
