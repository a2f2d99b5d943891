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

/** The pids of the processes that printed `msg` (pino lines carry their process's pid). */
function pidsThatLogged(output: string, msg: string): number[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes(`"msg":"${msg}"`))
    .map((l) => (JSON.parse(l) as { pid: number }).pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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

  it("stops with exit code 1 when a role cannot start, leaving no process behind", async () => {
    const nothingListens = await freePort();
    const service = startServiceProcess("start.ts", [], {
      PATH: process.env.PATH,
      DATABASE_URL: `postgresql://app:secret@127.0.0.1:${nothingListens}/line`,
      LINE_CHANNEL_SECRET: TEST_CHANNEL_SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: TEST_ACCESS_TOKEN,
      APP_SECRET_KEY: APP_SECRET_KEY,
      PORT: "0",
    });
    expect(await service.exit).toBe(1);
    expect(service.output()).toContain("Cannot start: The web role stopped before it started");
    // The worker was never started: the web role applies the migrations before it may start.
    expect(service.output()).not.toContain("worker role started");
    await eventually(
      () => Promise.resolve(service.groupAlive()),
      (isAlive) => !isAlive,
      10_000,
    );
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

  describe("npm start: the web and worker roles as processes of their own, supervised", () => {
    let db: TestDatabase;
    let sim: LineSimulator;
    let env: NodeJS.ProcessEnv;
    let unwatch: () => void = () => undefined;
    const services: ServiceProcess[] = [];

    /** `npm start` with BullMQ on its PostgreSQL backend, as when REDIS_URL is not set. */
    async function npmStart() {
      const port = await freePort();
      const service = startServiceProcess("start.ts", [], { ...env, PORT: String(port) });
      services.push(service);
      await service.printed("worker role started");
      await service.printed("web role listening");
      return { service, url: `http://127.0.0.1:${port}` };
    }

    beforeAll(async () => {
      db = await createTestDatabase();
      sim = new LineSimulator({
        channelSecret: TEST_CHANNEL_SECRET,
        channelAccessToken: TEST_ACCESS_TOKEN,
      });
      const line = (await sim.listen()).baseUrl;
      env = {
        PATH: process.env.PATH,
        DATABASE_URL: db.url,
        LINE_CHANNEL_SECRET: TEST_CHANNEL_SECRET,
        LINE_CHANNEL_ACCESS_TOKEN: TEST_ACCESS_TOKEN,
        LINE_API_BASE_URL: line,
        LINE_DATA_API_BASE_URL: line,
        APP_SECRET_KEY: APP_SECRET_KEY,
        LOG_LEVEL: "info",
      };
      unwatch = watchService(settledIn(db.prisma, APP_SECRET_KEY));
    }, 60_000);

    afterAll(async () => {
      unwatch();
      for (const service of services) {
        if (service.groupAlive()) service.signalGroup("SIGKILL");
      }
      await sim.close();
      await db.drop();
    });

    it("starts a role that crashed again, and she is still answered; SIGTERM stops every role, exit 0", async () => {
      const { service, url } = await npmStart();
      sim.setWebhookUrl(`${url}/webhook/line`);
      const [web] = pidsThatLogged(service.output(), "web role listening");
      const [worker] = pidsThatLogged(service.output(), "worker role started");
      // Two roles, two processes, neither of them the supervisor.
      expect(web).toBeDefined();
      expect(worker).toBeDefined();
      expect(new Set([web, worker, service.child.pid]).size).toBe(3);

      const her = sim.person();
      expect(texts(await turn(her, (p) => p.follow()))).not.toBe("");

      // The worker dies (out of memory, a bug): the supervisor starts another.
      process.kill(worker ?? 0, "SIGKILL");
      await service.printed("role stopped; starting it again");
      await eventually(
        () => Promise.resolve(pidsThatLogged(service.output(), "worker role started")),
        (pids) => pids.length === 2,
        30_000,
      );
      const answer = await turn(her, (p) => p.say("夫のことで相談したいです"));
      expect(answer.length).toBeGreaterThan(0);
      // The web role served on meanwhile: the same process.
      expect(pidsThatLogged(service.output(), "web role listening")).toEqual([web]);

      const restarted = pidsThatLogged(service.output(), "worker role started")[1] ?? 0;
      const mark = service.output().length;
      // SIGTERM to the supervisor alone, as an init system that signals one pid.
      process.kill(service.child.pid ?? 0, "SIGTERM");
      expect(await service.exit).toBe(0);
      expect(warningsIn(service.output(), mark)).toEqual([]);
      expect(alive(web ?? 0)).toBe(false);
      expect(alive(restarted)).toBe(false);
    }, 120_000);

    it("leaves no role serving on its own when the supervisor is killed", async () => {
      const { service, url } = await npmStart();
      const [web] = pidsThatLogged(service.output(), "web role listening");
      const [worker] = pidsThatLogged(service.output(), "worker role started");
      process.kill(service.child.pid ?? 0, "SIGKILL");
      await eventually(
        () => Promise.resolve([web, worker].map((pid) => alive(pid ?? 0))),
        (states) => states.every((s) => !s),
        30_000,
      );
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    }, 120_000);
  });

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
