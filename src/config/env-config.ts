import { isIP } from "node:net";
import { z } from "zod";
import { ConfigError } from "../errors";

/** Everything the service reads from its environment, validated once at start. */
export interface AppConfig {
  port: number;
  /** PostgreSQL for data (and for the queue when no Redis is configured). */
  databaseUrl: string;
  /**
   * The service's statements are prepared once per database connection (DATABASE_PREPARED_
   * STATEMENTS); off behind a pooler that cannot keep them (PgBouncer before 1.21 in
   * transaction mode).
   */
  databasePreparedStatements: boolean;
  /** BullMQ on Redis when set; otherwise BullMQ's PostgreSQL backend on `databaseUrl`. */
  redisUrl: string | undefined;
  line: {
    channelSecret: string;
    channelAccessToken: string;
    apiBaseUrl: string;
    dataApiBaseUrl: string;
  };
  /** Key material for the keyed hash and encryption of LINE user ids and raw events. */
  appSecretKey: string;
  /**
   * The key APP_SECRET_KEY replaces, while `npm run admin -- rotate-key` re-seals what it sealed:
   * still opens old values and finds people by their old keyed hash. Unset once rotate-key is done.
   */
  appSecretKeyPrevious: string | undefined;
  logLevel: string;
  workerConcurrency: number;
  /** Deployment preset folder under flows/ (regions, hours, conversation scripts). */
  flowPreset: string;
  /** How long a stop (SIGTERM, Ctrl-C) may take before the process gives up and exits 1. */
  shutdownTimeoutMs: number;
  /** Proxies whose X-Forwarded-For/-Proto the web role believes (express's `trust proxy`). */
  trustProxy: number | string[] | false;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Admins and supervisors must sign in with a second factor (TOTP); counsellors may. */
  requireSecondFactor: boolean;
  /** The largest file she sends that is copied from LINE; a larger one is not kept. */
  mediaMaxBytes: number;
  /** Where on-call notifications go (src/oncall/); each channel is optional. */
  onCall: OnCallConfig;
}

export interface OnCallConfig {
  /** POSTed JSON, signed with the secret (header x-signature); absent: no webhook. */
  webhook: { url: string; secret: string } | undefined;
  /** nodemailer's SMTP URL; absent: no e-mail. */
  smtpUrl: string | undefined;
  /** The From of on-call e-mail. */
  mailFrom: string;
  /** The console's public address, for the links in notifications; absent: no link. */
  publicBaseUrl: string | undefined;
}

/** A URL of one of the given schemes ("redis:"…), so a typo fails here, not at first use. */
const url = (what: string, schemes: string[]) =>
  z
    .string({ error: `${what} is required` })
    .refine(
      (value) => URL.canParse(value) && schemes.includes(new URL(value).protocol),
      `${what} must be a URL starting with ${schemes.map((s) => `${s}//`).join(" or ")}`,
    );
const POSTGRES = ["postgresql:", "postgres:"];
const REDIS = ["redis:", "rediss:"];
const HTTP = ["https:", "http:"];
const SMTP = ["smtp:", "smtps:"];
const secret = (name: string, min: number) =>
  z.string({ error: `${name} is required` }).min(min, `${name} must be at least ${min} characters`);

const wholeNumber = (name: string, min: number, max: number) => {
  const error = `${name} must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int(error).min(min, error).max(max, error);
};

/** On/off settings: true/false, 1/0, on/off, yes/no (any case); anything else is refused. */
const onOff = (name: string) =>
  z.string().transform((value, ctx) => {
    const v = value.trim().toLowerCase();
    if (["true", "1", "on", "yes"].includes(v)) return true;
    if (["false", "0", "off", "no"].includes(v)) return false;
    ctx.addIssue({ code: "custom", message: `${name} must be true or false (or on/off, 1/0)` });
    return z.NEVER;
  });

/** An on/off setting read by a tool outside the service (the benches), as the service reads it. */
export function onOffSetting(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === "") return fallback;
  const parsed = onOff(name).safeParse(value);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => i.message));
  return parsed.data;
}

/** express's names for address ranges, usable in TRUST_PROXY beside addresses and CIDRs. */
const PROXY_NAMES = ["loopback", "linklocal", "uniquelocal"];
const TRUST_PROXY_ERROR =
  "TRUST_PROXY must be a hop count (1) or comma-separated addresses, CIDRs or loopback/linklocal/uniquelocal";

function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address = "", bits, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const prefix = Number(bits);
  return /^\d+$/.test(bits) && prefix <= (version === 4 ? 32 : 128);
}

/** `2` → 2 hops; `loopback, 10.0.0.0/8` → the list; anything else is refused at start. */
const trustProxy = z.string().transform((value, ctx) => {
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(",").map((e) => e.trim());
  if (entries.every(isProxyEntry)) return entries;
  ctx.addIssue({ code: "custom", message: TRUST_PROXY_ERROR });
  return z.NEVER;
});

/** 20 MiB: photos and short clips from a phone; a larger file stays on LINE's side only. */
export const DEFAULT_MEDIA_MAX_BYTES = 20 * 1024 * 1024;

const envSchema = z.object({
  PORT: wholeNumber("PORT", 0, 65535).default(3000),
  DATABASE_URL: url("DATABASE_URL", POSTGRES),
  DATABASE_PREPARED_STATEMENTS: onOff("DATABASE_PREPARED_STATEMENTS").default(true),
  REDIS_URL: url("REDIS_URL", REDIS).optional(),
  LINE_CHANNEL_SECRET: secret("LINE_CHANNEL_SECRET", 16),
  LINE_CHANNEL_ACCESS_TOKEN: secret("LINE_CHANNEL_ACCESS_TOKEN", 16),
  LINE_API_BASE_URL: url("LINE_API_BASE_URL", HTTP).default("https://api.line.me"),
  LINE_DATA_API_BASE_URL: url("LINE_DATA_API_BASE_URL", HTTP).default("https://api-data.line.me"),
  APP_SECRET_KEY: secret("APP_SECRET_KEY", 32),
  APP_SECRET_KEY_PREVIOUS: secret("APP_SECRET_KEY_PREVIOUS", 32).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WORKER_CONCURRENCY: wholeNumber("WORKER_CONCURRENCY", 1, 256).default(8),
  FLOW_PRESET: z
    .string()
    .regex(/^[a-z0-9-]+$/, "FLOW_PRESET must be a folder name under flows/")
    .default("gunma"),
  SHUTDOWN_TIMEOUT_MS: wholeNumber("SHUTDOWN_TIMEOUT_MS", 1000, 600_000).default(10_000),
  TRUST_PROXY: trustProxy.optional(),
  METRICS_TOKEN: secret("METRICS_TOKEN", 16).optional(),
  REQUIRE_SECOND_FACTOR: onOff("REQUIRE_SECOND_FACTOR").default(true),
  MEDIA_MAX_BYTES: wholeNumber("MEDIA_MAX_BYTES", 1024, 1024 * 1024 * 1024).default(
    DEFAULT_MEDIA_MAX_BYTES,
  ),
  ONCALL_WEBHOOK_URL: url("ONCALL_WEBHOOK_URL", HTTP).optional(),
  ONCALL_WEBHOOK_SECRET: secret("ONCALL_WEBHOOK_SECRET", 16).optional(),
  SMTP_URL: url("SMTP_URL", SMTP).optional(),
  SMTP_FROM: z.email("SMTP_FROM must be an e-mail address").default("line-support@localhost"),
  PUBLIC_BASE_URL: url("PUBLIC_BASE_URL", HTTP).optional(),
});

/** Rules between variables, listed with the schema's own problems. */
function crossProblems(env: Env): string[] {
  return [
    ...(env.ONCALL_WEBHOOK_URL && !env.ONCALL_WEBHOOK_SECRET
      ? ["ONCALL_WEBHOOK_SECRET is required when ONCALL_WEBHOOK_URL is set"]
      : []),
    ...(env.APP_SECRET_KEY_PREVIOUS && env.APP_SECRET_KEY_PREVIOUS === env.APP_SECRET_KEY
      ? ["APP_SECRET_KEY_PREVIOUS must be the key APP_SECRET_KEY replaces, not the same one"]
      : []),
  ];
}

type Env = Record<string, string | undefined>;

/**
 * Validates the environment and returns typed config, or throws a ConfigError that lists every
 * problem at once. Empty strings count as unset, so `FOO=` in a .env file does not pass.
 */
export function loadConfig(env: Env): AppConfig {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = envSchema.safeParse(cleaned);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map(namedProblem)),
    ...crossProblems(cleaned),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    redisUrl: e.REDIS_URL,
    line: {
      channelSecret: e.LINE_CHANNEL_SECRET,
      channelAccessToken: e.LINE_CHANNEL_ACCESS_TOKEN,
      apiBaseUrl: e.LINE_API_BASE_URL,
      dataApiBaseUrl: e.LINE_DATA_API_BASE_URL,
    },
    appSecretKey: e.APP_SECRET_KEY,
    appSecretKeyPrevious: e.APP_SECRET_KEY_PREVIOUS,
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    flowPreset: e.FLOW_PRESET,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY ?? false,
    metricsToken: e.METRICS_TOKEN,
    requireSecondFactor: e.REQUIRE_SECOND_FACTOR,
    mediaMaxBytes: e.MEDIA_MAX_BYTES,
    onCall: {
      webhook:
        e.ONCALL_WEBHOOK_URL && e.ONCALL_WEBHOOK_SECRET
          ? { url: e.ONCALL_WEBHOOK_URL, secret: e.ONCALL_WEBHOOK_SECRET }
          : undefined,
      smtpUrl: e.SMTP_URL,
      mailFrom: e.SMTP_FROM,
      publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ""),
    },
  };
}

/** Each problem names its variable: zod's own messages ("Too small: …") do not. */
function namedProblem(issue: z.core.$ZodIssue): string {
  const name = String(issue.path[0] ?? "");
  return issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`;
}

/** The process environment: the one place that reads it. */
export function processEnv(): Env {
  return process.env;
}
