import { loadConfig } from "../../../src/config/env-config";
import { ConfigError } from "../../../src/errors";

const REAL_CHANNEL = {
  DATABASE_URL: "postgresql://app:pw@db.example:5432/line_support",
  REDIS_URL: "redis://cache.example:6379/0",
  LINE_CHANNEL_SECRET: "0123456789abcdef0123456789abcdef",
  LINE_CHANNEL_ACCESS_TOKEN: "channel-access-token-0123456789",
  APP_SECRET_KEY: "app-secret-key-0123456789abcdef-0123",
};

/** The operator's view: the lines `npm start` prints before it exits. */
function problemsWith(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split("\n  - ").slice(1);
    throw error;
  }
  throw new Error("the configuration was accepted");
}

describe("configuration from the environment", () => {
  it("with nothing set, lists every missing setting at once (no secret has a default)", () => {
    expect(problemsWith({})).toEqual([
      "DATABASE_URL is required",
      "LINE_CHANNEL_SECRET is required",
      "LINE_CHANNEL_ACCESS_TOKEN is required",
      "APP_SECRET_KEY is required",
    ]);
  });

  it("names the variable of every bad value", () => {
    expect(
      problemsWith({
        ...REAL_CHANNEL,
        DATABASE_URL: "mysql://app@db.example/line_support",
        PORT: "http",
        REDIS_URL: "cache:6379",
        LINE_API_BASE_URL: "api.line.me",
        LOG_LEVEL: "verbose",
        WORKER_CONCURRENCY: "0",
        FLOW_PRESET: "../etc",
        SHUTDOWN_TIMEOUT_MS: "10s",
      }),
    ).toEqual([
      "PORT must be a whole number from 0 to 65535",
      "DATABASE_URL must be a URL starting with postgresql:// or postgres://",
      "REDIS_URL must be a URL starting with redis:// or rediss://",
      "LINE_API_BASE_URL must be a URL starting with https:// or http://",
      expect.stringMatching(/^LOG_LEVEL: .*"info"/),
      "WORKER_CONCURRENCY must be a whole number from 1 to 256",
      "FLOW_PRESET must be a folder name under flows/",
      "SHUTDOWN_TIMEOUT_MS must be a whole number from 1000 to 600000",
    ]);
  });

  it("never repeats a secret it refuses", () => {
    const problems = problemsWith({
      ...REAL_CHANNEL,
      LINE_CHANNEL_SECRET: "too-short-7f3a",
      APP_SECRET_KEY: "short-app-key-91c2",
    });
    expect(problems).toEqual([
      "LINE_CHANNEL_SECRET must be at least 16 characters",
      "APP_SECRET_KEY must be at least 32 characters",
    ]);
    expect(problems.join("\n")).not.toMatch(/7f3a|91c2/);
  });

  it("counts an empty value as unset, so `FOO=` in an env file does not pass", () => {
    expect(problemsWith({ ...REAL_CHANNEL, DATABASE_URL: "", LINE_CHANNEL_SECRET: "" })).toEqual([
      "DATABASE_URL is required",
      "LINE_CHANNEL_SECRET is required",
    ]);
  });

  it("serves a real channel with LINE's own addresses, port 3000 and BullMQ on Redis by default", () => {
    expect(loadConfig(REAL_CHANNEL)).toEqual({
      port: 3000,
      databaseUrl: REAL_CHANNEL.DATABASE_URL,
      databasePreparedStatements: true,
      redisUrl: REAL_CHANNEL.REDIS_URL,
      line: {
        channelSecret: REAL_CHANNEL.LINE_CHANNEL_SECRET,
        channelAccessToken: REAL_CHANNEL.LINE_CHANNEL_ACCESS_TOKEN,
        apiBaseUrl: "https://api.line.me",
        dataApiBaseUrl: "https://api-data.line.me",
      },
      appSecretKey: REAL_CHANNEL.APP_SECRET_KEY,
      logLevel: "info",
      workerConcurrency: 8,
      flowPreset: "gunma",
      shutdownTimeoutMs: 10_000,
      // No proxy's X-Forwarded-For is believed, and /metrics is open, until configured.
      trustProxy: false,
      metricsToken: undefined,
      // Admins and supervisors sign in with a second factor unless the deployment says not.
      requireSecondFactor: true,
      mediaMaxBytes: 20 * 1024 * 1024,
      onCall: {
        webhook: undefined,
        smtpUrl: undefined,
        mailFrom: "line-support@localhost",
        publicBaseUrl: undefined,
      },
    });
  });

  it("reads REQUIRE_SECOND_FACTOR as on or off, and refuses anything else", () => {
    const required = (value: string) =>
      loadConfig({ ...REAL_CHANNEL, REQUIRE_SECOND_FACTOR: value }).requireSecondFactor;
    for (const on of ["true", "1", "on", "YES"]) expect(required(on)).toBe(true);
    for (const off of ["false", "0", "off", "No"]) expect(required(off)).toBe(false);
    expect(problemsWith({ ...REAL_CHANNEL, REQUIRE_SECOND_FACTOR: "sometimes" })).toEqual([
      "REQUIRE_SECOND_FACTOR must be true or false (or on/off, 1/0)",
    ]);
  });

  it("prepares statements unless DATABASE_PREPARED_STATEMENTS is off (a pooler that cannot keep them)", () => {
    const prepared = (env: Record<string, string>) =>
      loadConfig({ ...REAL_CHANNEL, ...env }).databasePreparedStatements;
    expect(prepared({})).toBe(true);
    expect(prepared({ DATABASE_PREPARED_STATEMENTS: "off" })).toBe(false);
    expect(problemsWith({ ...REAL_CHANNEL, DATABASE_PREPARED_STATEMENTS: "pgbouncer" })).toEqual([
      "DATABASE_PREPARED_STATEMENTS must be true or false (or on/off, 1/0)",
    ]);
  });

  it("takes express's trust-proxy values for TRUST_PROXY and refuses anything else", () => {
    const trust = (value: string) => loadConfig({ ...REAL_CHANNEL, TRUST_PROXY: value }).trustProxy;
    expect(trust("1")).toBe(1);
    expect(trust("loopback")).toEqual(["loopback"]);
    expect(trust("loopback, 10.0.0.0/8,2001:db8::/32, 192.0.2.7")).toEqual([
      "loopback",
      "10.0.0.0/8",
      "2001:db8::/32",
      "192.0.2.7",
    ]);
    const refused = [
      "TRUST_PROXY must be a hop count (1) or comma-separated addresses, CIDRs or loopback/linklocal/uniquelocal",
    ];
    for (const bad of ["true", "10.0.0.0/33", "10.0.0/8", "loopback,", "proxy.example"]) {
      expect(problemsWith({ ...REAL_CHANNEL, TRUST_PROXY: bad })).toEqual(refused);
    }
  });

  it("takes a metrics token only when it is long enough to guard anything", () => {
    expect(
      loadConfig({ ...REAL_CHANNEL, METRICS_TOKEN: "scrape-token-0123456789" }).metricsToken,
    ).toBe("scrape-token-0123456789");
    expect(problemsWith({ ...REAL_CHANNEL, METRICS_TOKEN: "short-9d1e" })).toEqual([
      "METRICS_TOKEN must be at least 16 characters",
    ]);
  });

  it("caps her files at MEDIA_MAX_BYTES, a whole number of bytes from 1 KiB to 1 GiB", () => {
    expect(loadConfig({ ...REAL_CHANNEL, MEDIA_MAX_BYTES: "5000000" }).mediaMaxBytes).toBe(
      5_000_000,
    );
    const refused = ["MEDIA_MAX_BYTES must be a whole number from 1024 to 1073741824"];
    for (const bad of ["10", "2000000000", "1.5", "20MB"]) {
      expect(problemsWith({ ...REAL_CHANNEL, MEDIA_MAX_BYTES: bad })).toEqual(refused);
    }
  });

  it("without REDIS_URL, keeps the queue on PostgreSQL; PORT and the rest come from the environment", () => {
    const config = loadConfig({
      ...REAL_CHANNEL,
      REDIS_URL: undefined,
      PORT: "8080",
      WORKER_CONCURRENCY: "16",
      LINE_API_BASE_URL: "http://127.0.0.1:4000",
      SHUTDOWN_TIMEOUT_MS: "25000",
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.port).toBe(8080);
    expect(config.workerConcurrency).toBe(16);
    expect(config.line.apiBaseUrl).toBe("http://127.0.0.1:4000");
    expect(config.shutdownTimeoutMs).toBe(25_000);
  });

  describe("on-call notifications", () => {
    const WEBHOOK = "https://alerts.example.org/hooks/on-call";

    it("refuses a webhook without its secret, listed with the other problems", () => {
      expect(problemsWith({ ...REAL_CHANNEL, ONCALL_WEBHOOK_URL: WEBHOOK, PORT: "http" })).toEqual([
        "PORT must be a whole number from 0 to 65535",
        "ONCALL_WEBHOOK_SECRET is required when ONCALL_WEBHOOK_URL is set",
      ]);
      expect(problemsWith({ ...REAL_CHANNEL, ONCALL_WEBHOOK_URL: WEBHOOK })).toEqual([
        "ONCALL_WEBHOOK_SECRET is required when ONCALL_WEBHOOK_URL is set",
      ]);
      // `ONCALL_WEBHOOK_SECRET=` in an env file is no secret either.
      expect(
        problemsWith({ ...REAL_CHANNEL, ONCALL_WEBHOOK_URL: WEBHOOK, ONCALL_WEBHOOK_SECRET: "" }),
      ).toEqual(["ONCALL_WEBHOOK_SECRET is required when ONCALL_WEBHOOK_URL is set"]);
    });

    it("names bad on-call values without repeating the secret", () => {
      const problems = problemsWith({
        ...REAL_CHANNEL,
        ONCALL_WEBHOOK_URL: "alerts.example.org",
        ONCALL_WEBHOOK_SECRET: "short-9d1e",
        SMTP_URL: "mail.example.org:25",
        PUBLIC_BASE_URL: "console.example.org",
      });
      expect(problems).toEqual([
        "ONCALL_WEBHOOK_URL must be a URL starting with https:// or http://",
        "ONCALL_WEBHOOK_SECRET must be at least 16 characters",
        "SMTP_URL must be a URL starting with smtp:// or smtps://",
        "PUBLIC_BASE_URL must be a URL starting with https:// or http://",
      ]);
      expect(problems.join("\n")).not.toMatch(/9d1e/);
    });

    it("takes the webhook with its secret, SMTP and the console's public address", () => {
      const config = loadConfig({
        ...REAL_CHANNEL,
        ONCALL_WEBHOOK_URL: WEBHOOK,
        ONCALL_WEBHOOK_SECRET: "webhook-secret-0123456789",
        SMTP_URL: "smtps://oncall:pw@mail.example.org:465",
        SMTP_FROM: "soudan@example.org",
        PUBLIC_BASE_URL: "https://soudan.example.org/",
      });
      expect(config.onCall).toEqual({
        webhook: { url: WEBHOOK, secret: "webhook-secret-0123456789" },
        smtpUrl: "smtps://oncall:pw@mail.example.org:465",
        mailFrom: "soudan@example.org",
        publicBaseUrl: "https://soudan.example.org",
      });
    });
  });
});
