/**
 * `npm start` as an operator runs it: the roles are processes of their own, configured by the
 * environment alone, on real PostgreSQL and BullMQ on Redis, with LINE's platform played by the
 * simulator (LINE_API_BASE_URL).
 */
import { freePort } from "../../scripts/free-port";
import { LineSimulator } from "../../src/simulator/line-simulator";
import { settledIn, turn, texts, watchService } from "../support/conversation-driver";
import { eventually } from "../support/eventually";
import { warningsIn, startServiceProcess, type ServiceProcess } from "../support/service-process";
import { startTcpProxy } from "../support/tcp-proxy";
import {
  createTestDatabase,
  createTestRedisUrl,
  TEST_ACCESS_TOKEN,
  TEST_CHANNEL_SECRET,
  type TestDatabase,
} from "../support/test-env";

const APP_SECRET_KEY = "start-command-test-app-secret-key-0123456789";

describe("npm start", () => {
  it("refuses to start on a bad environment: exit code 1 and every problem listed", async () => {
    const service = startServiceProcess("start.ts", [], {
      PATH: process.env.PATH,
      DATABASE_URL: "mysql://app@db.example/line",
      LINE_CHANNEL_SECRET: "too-short-7f3a",
    });
    expect(await service.exit).toBe(1);
    const output = service.output();
    expect(output).toContain("Cannot start: Invalid configuration:");
    for (const problem of [
      "DATABASE_URL must be a URL starting with postgresql:// or postgres://",
      "LINE_CHANNEL_SECRET must be at least 16 characters",
      "LINE_CHANNEL_ACCESS_TOKEN is required",
      "APP_SECRET_KEY is required",
    ]) {
      expect(output).toContain(problem);
    }
    expect(output).not.toContain("7f3a");
  }, 60_000);

  it("refuses a role it does not know", async () => {
    const service = startServiceProcess("start.ts", ["sideline"], { PATH: process.env.PATH });
    expect(await service.exit).toBe(1);
    expect(service.output()).toContain('Unknown role "sideline": use all, web or worker');
  }, 60_000);

  it("stops within SHUTDOWN_TIMEOUT_MS while Redis is gone: exit code 1, the unfinished steps named", async () => {
    const db = await createTestDatabase();
    // Redis reached through a proxy the test cuts, as a Redis that went down.
    const redis = await startTcpProxy(await createTestRedisUrl());
    const timeoutMs = 2000;
    const service = startServiceProcess("start.ts", [], {
      PATH: process.env.PATH,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      LINE_CHANNEL_SECRET: TEST_CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: TEST_ACCESS_TOKEN,
      APP_SECRET_KEY: APP_SECRET_KEY,
      PORT: "0",
      SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
    });
    try {
      await service.printed("worker role started");
      redis.cut();
      await service.printed("queue connection problem");
      const mark = service.output().length;
      const signalledAt = Date.now();
      service.signalGroup("SIGTERM");
      // Bounded here too: a stop that hangs must fail this test, not time it out.
      const slackMs = 8000;
      const exit = await Promise.race([
        service.exit,
        new Promise<"still running">((resolve) =>
          setTimeout(() => resolve("still running"), timeoutMs + slackMs).unref(),
        ),
      ]);
      expect(exit).toBe(1);
      expect(Date.now() - signalledAt).toBeLessThan(timeoutMs + slackMs);
      const errors = service
        .output()
        .slice(mark)
        .split("\n")
        .filter((l) => /"level":50/.test(l));
      expect(errors).toHaveLength(1);
      const line = JSON.parse(errors[0] ?? "{}") as { msg?: string; unfinished?: string[] };
      expect(line.msg).toBe("stop did not finish in time");
      // The worker waits on Redis; the web role, which does not, stopped.
      expect(line.unfinished).toContain("job worker");
      expect(line.unfinished).not.toContain("http server");
    } finally {
      if (service.groupAlive()) service.signalGroup("SIGKILL");
      await redis.close();
      await db.drop();
    }
  }, 90_000);

  describe("web and worker as two processes on PostgreSQL and Redis", () => {
    let db: TestDatabase;
    let sim: LineSimulator;
    let web: ServiceProcess;
    let worker: ServiceProcess;
    let url = "";
    let herUserId = "";
    let unwatch: () => void = () => undefined;

    beforeAll(async () => {
      db = await createTestDatabase();
      sim = new LineSimulator({
        channelSecret: TEST_CHANNEL_SECRET,
        channelAccessToken: TEST_ACCESS_TOKEN,
      });
      const line = (await sim.listen()).baseUrl;
      const port = await freePort();
      const env = {
        PATH: process.env.PATH,
        DATABASE_URL: db.url,
        REDIS_URL: await createTestRedisUrl(),
        LINE_CHANNEL_SECRET: TEST_CHANNEL_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN: TEST_ACCESS_TOKEN,
        LINE_API_BASE_URL: line,
        LINE_DATA_API_BASE_URL: line,
        APP_SECRET_KEY: APP_SECRET_KEY,
        // Every line it can log is checked for what must never be logged.
        LOG_LEVEL: "trace",
      };
      web = startServiceProcess("start.ts", ["web"], { ...env, PORT: String(port) });
      worker = startServiceProcess("start.ts", ["worker"], env);
      await Promise.all([web.printed("web role listening"), worker.printed("worker role started")]);
      url = `http://127.0.0.1:${port}`;
      sim.setWebhookUrl(`${url}/webhook/line`);
      unwatch = watchService(settledIn(db.prisma, APP_SECRET_KEY));
    }, 120_000);

    afterAll(async () => {
      unwatch();
      for (const service of [web, worker]) {
        if (service.groupAlive()) service.signalGroup("SIGKILL");
      }
      await sim.close();
      await db.drop();
    });

    it("serves a woman writing in: the web role stores her message, the worker answers her", async () => {
      const readyz = await fetch(`${url}/readyz`);
      expect(readyz.status).toBe(200);
      expect(await readyz.json()).toEqual({ status: "ok", failed: [] });

      const her = sim.person();
      herUserId = her.userId;
      const greeting = await turn(her, (p) => p.follow());
      expect(texts(greeting)).not.toBe("");
      // LINE fails once (500): the answer still comes, retried.
      sim.injectFault({ status: 500, count: 1 });
      const answer = await turn(her, (p) => p.say("夫のことで相談したいです"));
      expect(answer.length).toBeGreaterThan(0);

      // Stored by the web process, answered by the worker process: one event row each.
      const statuses = () =>
        db.prisma.webhookEvent
          .findMany({ select: { status: true } })
          .then((rows) => rows.map((r) => r.status));
      expect(
        await eventually(statuses, (s) => s.length === 2 && s.every((x) => x === "processed")),
      ).toEqual(["processed", "processed"]);
    }, 60_000);

    it("writes no message text, LINE user id or token to its logs, at any level", () => {
      const logs = web.output() + worker.output();
      expect(herUserId).not.toBe("");
      expect(logs).not.toContain(herUserId);
      expect(logs).not.toContain("夫のことで");
      expect(logs).not.toContain(TEST_ACCESS_TOKEN);
      expect(logs).not.toContain(TEST_CHANNEL_SECRET);
    });

    it("stops on SIGTERM, as a container is stopped: exit code 0, without a warning", async () => {
      const marks = [web.output().length, worker.output().length];
      web.signalGroup("SIGTERM");
      worker.signalGroup("SIGTERM");
      expect(await web.exit).toBe(0);
      expect(await worker.exit).toBe(0);
      expect(warningsIn(web.output(), marks[0])).toEqual([]);
      expect(warningsIn(worker.output(), marks[1])).toEqual([]);
    }, 60_000);
  });
});
