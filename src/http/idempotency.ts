import { createHash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { PrismaClient } from "../db/prisma-client";
import { AppError, describeError } from "../errors";
import type { Logger } from "../logger";
import type { Sealer } from "../privacy/sealer";
import { userOf } from "./auth-middleware";

/**
 * `Idempotency-Key` on the console's changes (src/console/API.md): a page that lost the answer
 * to "send this reply" on the network asks again with the same key, and gets the first answer
 * instead of a second message on her phone. Keys belong to the signed-in account and live in
 * PostgreSQL (table idempotency_key), so a retry that reaches another web process is known too.
 *
 * A key is taken before the change runs. A successful answer (2xx) is stored before it is sent,
 * so a retry can only find the key in use or answered; a refusal or a failure lets go of the key,
 * and the retry runs afresh.
 */

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
/** How long a key is remembered: a retry a day later is a new request. */
export const KEY_KEPT_MS = 24 * 3600_000;
/**
 * A key still "in use" after this long belongs to a request that can no longer be running (a
 * console transaction gives up after 25 s): its web process stopped in the middle. The key is
 * then taken by the next request with it, rather than refused for the rest of the day.
 */
export const KEY_ABANDONED_MS = 5 * 60_000;
/** Visible ASCII only (a UUID fits easily); anything else is a client's mistake. */
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/**
 * Expired keys are deleted by the requests that bring keys, at most once a minute per web
 * process, rather than by a timer of their own; an expired key is never answered from anyway.
 */
const PRUNE_INTERVAL_MS = 60_000;

type Claim =
  | { kind: "taken"; at: Date }
  | { kind: "answered"; status: number; body: string | null }
  | { kind: "in-use" }
  | { kind: "other-request" };

interface KeyRef {
  counsellorId: string;
  key: string;
}

function createKeyStore(prisma: PrismaClient, sealer: Sealer, now: () => number) {
  const rows = prisma.idempotencyKey;
  let lastPrune = Number.NEGATIVE_INFINITY;

  async function claim(ref: KeyRef, fingerprint: string): Promise<Claim> {
    // Three rounds: the key may be let go (its request failed) between two of our statements.
    for (let round = 0; round < 3; round++) {
      const at = new Date(now());
      const inserted = await rows.createMany({
        data: [{ ...ref, fingerprint, createdAt: at }],
        skipDuplicates: true,
      });
      if (inserted.count === 1) return { kind: "taken", at };
      // Expired, or abandoned by a stopped process: one UPDATE, so only one request gets it.
      const renewed = await rows.updateMany({
        where: {
          ...ref,
          OR: [
            { createdAt: { lt: new Date(at.getTime() - KEY_KEPT_MS) } },
            { responseStatus: null, createdAt: { lt: new Date(at.getTime() - KEY_ABANDONED_MS) } },
          ],
        },
        data: { fingerprint, createdAt: at, responseStatus: null, responseBodyEnc: null },
      });
      if (renewed.count === 1) return { kind: "taken", at };
      const row = await rows.findUnique({ where: { counsellorId_key: ref } });
      if (!row) continue;
      if (row.fingerprint !== fingerprint) return { kind: "other-request" };
      if (row.responseStatus === null) return { kind: "in-use" };
      const body = row.responseBodyEnc ? sealer.open(row.responseBodyEnc) : null;
      return { kind: "answered", status: row.responseStatus, body };
    }
    return { kind: "in-use" };
  }

  /** Only the request that took the key at `at` settles it (not one that took it over since). */
  const mine = (ref: KeyRef, at: Date) => ({ ...ref, createdAt: at, responseStatus: null });

  return {
    claim,
    answered: (ref: KeyRef, at: Date, status: number, body: string | null) =>
      rows.updateMany({
        where: mine(ref, at),
        // The answer repeats her messages and counsellors' notes: sealed as they are.
        data: { responseStatus: status, responseBodyEnc: body === null ? null : sealer.seal(body) },
      }),
    letGo: (ref: KeyRef, at: Date) => rows.deleteMany({ where: mine(ref, at) }),
    /** Deletes expired keys, unless that was done less than a minute ago. */
    prune() {
      const t = now();
      if (t - lastPrune < PRUNE_INTERVAL_MS) return Promise.resolve();
      lastPrune = t;
      return rows
        .deleteMany({ where: { createdAt: { lt: new Date(t - KEY_KEPT_MS) } } })
        .then(() => undefined);
    },
  };
}

/** The request as a key must repeat it: method, path and JSON body (only this hash is kept). */
function fingerprintOf(req: Request): string {
  return createHash("sha256")
    .update(`${req.method} ${req.originalUrl}\n`)
    .update(JSON.stringify(req.body ?? null))
    .digest("hex");
}

/**
 * Middleware for the console API's changes (api-router.ts puts it on every signed-in route
 * that is not a GET, after sign-in, CSRF and role checks). Without the header it does nothing.
 */
export function idempotency(deps: {
  prisma: PrismaClient;
  /** Seals the stored answers. */
  sealer: Sealer;
  logger: Logger;
  /** The console's clock (Date.now): keys expire and are pruned by it. */
  now?: () => number;
}): RequestHandler {
  const store = createKeyStore(deps.prisma, deps.sealer, deps.now ?? Date.now);
  const { logger } = deps;

  return async (req, res, next) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new AppError(
        "IDEMPOTENCY_KEY_INVALID",
        `${IDEMPOTENCY_HEADER} must be 1 to 200 visible ASCII characters`,
        400,
      );
    }
    const ref = { counsellorId: userOf(res).id, key };
    store
      .prune()
      .catch((error: unknown) =>
        logger.warn({ err: describeError(error) }, "idempotency keys not pruned"),
      );
    const claim = await store.claim(ref, fingerprintOf(req));
    switch (claim.kind) {
      case "other-request":
        throw new AppError(
          "IDEMPOTENCY_KEY_REUSED",
          `This ${IDEMPOTENCY_HEADER} was used for another request`,
          422,
        );
      case "in-use":
        throw new AppError(
          "IDEMPOTENCY_KEY_IN_USE",
          `A request with this ${IDEMPOTENCY_HEADER} is still running; ask again shortly`,
          409,
        );
      case "answered":
        res.status(claim.status).set("idempotent-replayed", "true");
        if (claim.body === null) res.end();
        else res.type("json").send(claim.body);
        return;
      case "taken":
        holdAnswer(res, async (status, body) => {
          try {
            if (status >= 200 && status < 300) await store.answered(ref, claim.at, status, body);
            else await store.letGo(ref, claim.at);
          } catch (error) {
            // The change itself is done (or refused): the answer still goes out. The key stays
            // "in use" until it counts as abandoned (KEY_ABANDONED_MS).
            logger.warn(
              { reqId: res.locals.reqId as unknown, status, err: describeError(error) },
              "idempotency key not settled",
            );
          }
        });
        next();
    }
  };
}

/**
 * Lets `settle` run (store the answer, or let go of the key) before the answer leaves: the
 * route answers with res.json (a body) or res.end (204); errors come through res.json too.
 */
function holdAnswer(res: Response, settle: (status: number, body: string | null) => Promise<void>) {
  const json = res.json.bind(res);
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let held = false;
  res.json = (body: unknown) => {
    held = true;
    void settle(res.statusCode, JSON.stringify(body)).then(() => json(body));
    return res;
  };
  // res.json ends through res.end as well: only an answer without a body is held here.
  res.end = ((...args: unknown[]) => {
    if (held) return end(...args);
    held = true;
    void settle(res.statusCode, null).then(() => end(...args));
    return res;
  }) as Response["end"];
}
