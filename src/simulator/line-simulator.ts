import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Response, type Router } from "express";
import { FaultQueue } from "./fault-queue";
import { DEFAULT_MESSAGING_API_SPEC, OpenApiValidator } from "./openapi-validator";
import { defaultPublicDir, personRouter } from "./person-router";
import { platformRouter } from "./platform-router";
import { PersonActions } from "./simulator-actions";
import { botUserIdFor } from "./simulator-ids";
import { SimulatorStore } from "./simulator-store";
import { SimulatedPerson } from "./simulated-person";
import type {
  ActionResult,
  FaultSpec,
  RequestLogEntry,
  SimulatorLogger,
  WebhookDeliveryStatus,
  WebhookRecord,
} from "./simulator-types";
import { postWebhook } from "./webhook-sender";

export interface LineSimulatorOptions {
  channelSecret: string;
  channelAccessToken: string;
  /** Where webhook events are posted; without one, events are recorded as "no-webhook". */
  webhookUrl?: string;
  /** How long a reply token stays usable; LINE documents "about one minute". */
  replyTokenTtlMs?: number;
  /** The clock for timestamps and token expiry; tests move it to expire reply tokens. */
  now?: () => number;
  /** LINE's messaging-api.yml; defaults to the copy in src/simulator/line-openapi/. */
  specPath?: string;
  /** The account's name as shown at the top of her chat. */
  botName?: string;
  /** How long a webhook post may take before it counts as failed. */
  webhookTimeoutMs?: number;
  /** How long a "timeout" fault holds a call open before cutting the connection. */
  faultTimeoutMs?: number;
  logger?: SimulatorLogger;
  publicDir?: string;
}

const validators = new Map<string, OpenApiValidator>();

/** Compiling LINE's spec takes a moment; simulators in one process share the result. */
function validatorFor(specPath: string): OpenApiValidator {
  let validator = validators.get(specPath);
  if (!validator) {
    validator = new OpenApiValidator({ specPath });
    validators.set(specPath, validator);
  }
  return validator;
}

/**
 * A local LINE platform: the Messaging API the bot calls, a chat page for people, and a
 * TypeScript API for tests. Mount `router()` in a host app or `listen()` on its own.
 */
export class LineSimulator {
  readonly botUserId: string;
  readonly botName: string;
  private readonly store: SimulatorStore;
  private readonly actions: PersonActions;
  private readonly faults = new FaultQueue();
  private readonly requestLog: RequestLogEntry[] = [];
  private readonly streams = new Set<Response>();
  private readonly people = new Map<string, SimulatedPerson>();
  private webhookUrl: string | undefined;
  private server: Server | undefined;
  private routers: { platform: Router; person: Router; all: Router } | undefined;

  constructor(private readonly opts: LineSimulatorOptions) {
    this.botUserId = botUserIdFor(opts.channelSecret);
    this.botName = opts.botName ?? "相談窓口（シミュレーター）";
    this.webhookUrl = opts.webhookUrl;
    this.store = new SimulatorStore(opts.now ?? Date.now, opts.replyTokenTtlMs ?? 60_000);
    this.actions = new PersonActions(this.store, {
      channelSecret: opts.channelSecret,
      destination: this.botUserId,
      webhookUrl: () => this.webhookUrl,
      webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
      logger: opts.logger,
    });
  }

  setWebhookUrl(url: string): void {
    this.webhookUrl = url;
  }

  /** Everything: `/v2/bot/...` (Messaging and data API), the page at `/`, its API at `/_sim`. */
  router(): Router {
    return this.buildRouters().all;
  }

  /**
   * Only the `/v2/bot/...` routes. @line/bot-sdk resolves its absolute paths against baseURL's
   * origin (`new URL("/v2/bot/...", base)`), dropping a path prefix such as `/simulator`; a host
   * using the SDK mounts this at `/` and the page router under its prefix.
   */
  platformRouter(): Router {
    return this.buildRouters().platform;
  }

  /** Only the page and its `/_sim` API. */
  personRouter(): Router {
    return this.buildRouters().person;
  }

  /** Starts a standalone server on 127.0.0.1 (port 0 = any free port). */
  async listen(port = 0): Promise<{ baseUrl: string }> {
    const app = express();
    app.disable("x-powered-by");
    app.use(this.router());
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, "127.0.0.1", (error?: Error) =>
        error ? reject(error) : resolve(s),
      );
    });
    this.server = server;
    const { port: actual } = server.address() as AddressInfo;
    return { baseUrl: `http://127.0.0.1:${actual}` };
  }

  async close(): Promise<void> {
    this.faults.cutHanging();
    for (const res of this.streams) res.end();
    this.streams.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** A new simulated person who has not added the account yet. */
  person(displayName?: string): SimulatedPerson {
    const person = this.store.addPerson(displayName);
    return this.wrap(person.userId, person.displayName);
  }

  /** The test handle for a person created here or on the page. */
  personById(userId: string): SimulatedPerson | undefined {
    const person = this.store.person(userId);
    return person ? this.wrap(person.userId, person.displayName) : undefined;
  }

  /** The next N calls (optionally only those under `path`) fail with 500, 429 or no answer. */
  injectFault(fault: FaultSpec): void {
    this.faults.inject(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Every call the bot made to the platform API, oldest first. */
  requests(): RequestLogEntry[] {
    return [...this.requestLog];
  }

  /** Every webhook delivery with the status the bot answered, oldest first. */
  events(): WebhookRecord[] {
    return [...this.store.webhooks];
  }

  /** LINE's "Verify" button: posts `{destination, events: []}`; a bot must answer 200. */
  async verifyWebhook(): Promise<WebhookDeliveryStatus> {
    if (!this.webhookUrl) return "no-webhook";
    const result = await postWebhook({
      url: this.webhookUrl,
      channelSecret: this.opts.channelSecret,
      destination: this.botUserId,
      events: [],
      timeoutMs: this.opts.webhookTimeoutMs ?? 10_000,
    });
    return result.status;
  }

  redeliver(webhookEventId: string): Promise<ActionResult> {
    return this.actions.redeliver(webhookEventId);
  }

  /** Whether 既読 shows under her message (set by markAsRead). */
  isRead(messageId: string): boolean {
    return this.store.isRead(messageId);
  }

  /** Whether the bot has started the loading animation in her chat at least once. */
  loadingShown(userId: string): boolean {
    return this.store.loadingCalls(userId) > 0;
  }

  /** Whether the loading dots are on her screen right now. */
  loadingVisible(userId: string): boolean {
    return this.store.loadingVisible(userId);
  }

  private wrap(userId: string, displayName: string): SimulatedPerson {
    let handle = this.people.get(userId);
    if (!handle) {
      handle = new SimulatedPerson(userId, displayName, this.store, this.actions);
      this.people.set(userId, handle);
    }
    return handle;
  }

  private buildRouters() {
    if (this.routers) return this.routers;
    const platform = platformRouter({
      store: this.store,
      validator: validatorFor(this.opts.specPath ?? DEFAULT_MESSAGING_API_SPEC),
      faults: this.faults,
      requestLog: this.requestLog,
      channelAccessToken: this.opts.channelAccessToken,
      botUserId: this.botUserId,
      botName: this.botName,
      faultTimeoutMs: this.opts.faultTimeoutMs ?? 60_000,
      logger: this.opts.logger,
    });
    const person = personRouter({
      store: this.store,
      actions: this.actions,
      faults: this.faults,
      botName: this.botName,
      publicDir: this.opts.publicDir ?? defaultPublicDir(),
      streams: this.streams,
    });
    const all = express.Router();
    all.use(platform, person);
    this.routers = { platform, person, all };
    return this.routers;
  }
}
