/**
 * `npm run demo`, the one command a new user runs, as a process of its own on its embedded
 * default (nothing configured: no DATABASE_URL, no REDIS_URL, no LINE credentials). It must
 * serve, say where, stop cleanly on Ctrl-C, and keep its data for the next start.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { freePort } from "../../scripts/free-port";
import { ConsoleClient } from "../support/console-client";
import { eventually } from "../support/eventually";
import { metricSum, scrapeMetrics } from "../support/metrics";
import { warningsIn, startServiceProcess, type ServiceProcess } from "../support/service-process";
import { body, postWebhook, sign, textEvent } from "../support/webhook-client";

const ROOT = path.resolve(__dirname, "../..");
const READY = "Ctrl-C stops.";

const passwordIn = (output: string) => /— password (\S+)/.exec(output)?.[1];

/** Calls the simulator's page API as the chat page does. */
async function simulator<T>(url: string, method: string, route: string, json?: unknown) {
  const res = await fetch(`${url}/simulator/_sim${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  if (!res.ok) throw new Error(`simulator ${method} ${route}: ${res.status}`);
  return (await res.json()) as T;
}

const metric = async (url: string, prefix: string) => metricSum(await scrapeMetrics(url), prefix);

/**
 * Until her event is processed and every answer LINE accepted is recorded as sent: a delivery's
 * job ends only after recording LINE's answer, so as many ended delivery jobs as accepted sends.
 */
async function answerRecorded(url: string): Promise<void> {
  await eventually(
    () => scrapeMetrics(url),
    (text) => {
      const processed = metricSum(
        text,
        'job_duration_seconds_count{job="process-event",outcome="completed"}',
      );
      const accepted =
        metricSum(text, 'line_api_calls_total{endpoint="reply",status="200"}') +
        metricSum(text, 'line_api_calls_total{endpoint="push",status="200"}');
      const recorded = metricSum(
        text,
        'job_duration_seconds_count{job="send-delivery",outcome="completed"}',
      );
      return processed >= 1 && accepted >= 1 && recorded === accepted;
    },
    30_000,
  );
}

describe("npm run demo", () => {
  const dataDir = path.join(ROOT, ".data/tmp", `demo-${randomBytes(4).toString("hex")}`);
  let env: NodeJS.ProcessEnv;
  let url = "";
  let running: ServiceProcess | undefined;
  let firstPassword: string | undefined;
  let herUserId = "";
  let herEventId = "";
  /** Signed with the channel secret the demo made on its first start and keeps with its data. */
  const signedAsLine = (payload: string) => {
    const file = path.join(dataDir, "secrets.json");
    const { channelSecret } = JSON.parse(readFileSync(file, "utf8")) as { channelSecret: string };
    return { "x-line-signature": sign(payload, channelSecret) };
  };

  beforeAll(async () => {
    mkdirSync(dataDir, { recursive: true });
    const port = await freePort();
    env = {
      ...process.env,
      // The embedded default, as on a fresh machine, even where these are set for the tests.
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      PORT: String(port),
      DEMO_PG_PORT: String(await freePort()),
      DEMO_DATA_DIR: dataDir,
      LOG_LEVEL: "info",
    };
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (running?.groupAlive()) {
      running.signalGroup("SIGKILL");
      await running.exit;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts with nothing configured, prints where everything is, and serves it", async () => {
    running = startServiceProcess("demo.ts", [], env);
    await running.printed(READY);
    const output = running.output();
    expect(output).toContain("The service is running on the embedded default.");
    expect(output).toContain(`/simulator/`);
    expect(output).toContain(`/console/`);

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const readyz = await fetch(`${url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ status: "ok", failed: [] });
    expect((await fetch(`${url}/simulator/`)).status).toBe(200);
    expect((await fetch(`${url}/console/`)).status).toBe(200);

    // The printed account and password open the console.
    firstPassword = passwordIn(output);
    expect(firstPassword).toBeDefined();
    // The demo asks no second factor of its admin, and says so (npm start does ask).
    expect(output).toContain("Second factor: not required in the demo");
    const admin = await ConsoleClient.signedIn(url, "admin", firstPassword ?? "");
    expect((await admin.get("/api/v1/queue")).status).toBe(200);

    // A woman writes in through the simulator (LINE signs and posts the webhook); the bot answers.
    const her = await simulator<{ userId: string }>(url, "POST", "/persons", {});
    herUserId = her.userId;
    const sent = await simulator<{ webhookEventId: string }>(
      url,
      "POST",
      `/persons/${herUserId}/messages`,
      { text: "相談したいです" },
    );
    herEventId = sent.webhookEventId;
    await eventually(
      () => simulator<{ items: { kind: string }[] }>(url, "GET", `/persons/${herUserId}`),
      (view) => view.items.some((item) => item.kind === "bot"),
      30_000,
    );
    await answerRecorded(url);
    expect(await metric(url, 'line_webhook_events_received_total{type="message"}')).toBe(1);
  }, 120_000);

  it("stops on Ctrl-C with exit code 0, without a warning, leaving no process behind", async () => {
    const demo = running;
    if (!demo) throw new Error("the demo is not running");
    const before = demo.output().length;
    demo.signalGroup("SIGINT"); // Ctrl-C
    expect(await demo.exit).toBe(0);
    expect(warningsIn(demo.output(), before)).toEqual([]);
    // Its embedded PostgreSQL is gone too: nothing of the process group is left.
    await eventually(
      () => Promise.resolve(demo.groupAlive()),
      (alive) => !alive,
      10_000,
    );
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 60_000);

  it("started again, keeps its data: the same password, and an event LINE sends again is stored once", async () => {
    running = startServiceProcess("demo.ts", [], env);
    await running.printed(READY);
    expect(passwordIn(running.output())).toBe(firstPassword);
    await ConsoleClient.signedIn(url, "admin", firstPassword ?? "");

    // LINE redelivers her message (same webhookEventId) after the restart.
    const again = body([
      textEvent(herUserId, "相談したいです", {
        webhookEventId: herEventId,
        deliveryContext: { isRedelivery: true },
      }),
    ]);
    const res = await postWebhook(url, again, signedAsLine(again));
    expect(res.status).toBe(200);
    expect(await metric(url, "line_webhook_events_deduplicated_total")).toBe(1);
    expect(await metric(url, 'line_webhook_events_received_total{type="message"}')).toBe(0);

    running.signalGroup("SIGINT");
    expect(await running.exit).toBe(0);
  }, 120_000);
});
