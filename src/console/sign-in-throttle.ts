import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Pool } from "pg";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";

/**
 * How many guesses (a password, a second-factor code or a recovery code) each budget allows,
 * and over how long. Counted in PostgreSQL (rate-limiter-flexible), so every web process draws
 * on the same budgets. A point is taken before anything is checked, in one statement
 * (INSERT … ON CONFLICT … RETURNING), so parallel attempts cannot all slip in; a right answer
 * gives its point back.
 *
 * - Per account, for browsers it does not know ("untrusted"): guessing from elsewhere stops here.
 * - Per device: a browser that signed in to this account before carries a signed device cookie
 *   (OWASP's device cookies) and spends its own budget, so guessing from elsewhere cannot lock
 *   her out of her own browser.
 * - Per client address: one place guessing many names. A known device does not spend it (her
 *   office's address stays usable even if someone there guesses).
 */
export const BUDGETS = {
  untrustedPerAccount: { points: 5, seconds: 15 * 60 },
  perDevice: { points: 10, seconds: 15 * 60 },
  perAddress: { points: 30, seconds: 15 * 60 },
} as const;

const TABLE = "sign_in_limit";

/** Who is trying: the client's address (express's req.ip, after TRUST_PROXY) and budget keys. */
export interface Attempt {
  address: string;
  /**
   * The account's key when the name is known (its id: an admin can clear it), else a keyed hash
   * of the name typed: an unknown name has a budget like any account, so 429 tells nothing.
   */
  accountKey: string;
  /** The device cookie's id when the request carries a valid one for this login name. */
  deviceId: string | null;
}

/** What an attempt took: given back when the answer was right. */
export interface Taken {
  attempt: Attempt;
}

export interface SignInThrottle {
  /** Takes a point from each budget the attempt spends, or throws 429 TOO_MANY_ATTEMPTS. */
  take(attempt: Attempt): Promise<Taken>;
  /** A right answer: its points go back. */
  giveBack(taken: Taken): Promise<void>;
}

/**
 * 429 for an attempt a budget refused. `firstRefusal`: this attempt is the first its budget
 * refused in the window (exactly one per budget and window, however many arrive at once): the
 * moment worth a line in the audit log; the refusals after it are not (see auth-service.ts).
 */
export class TooManyAttempts extends AppError {
  constructor(readonly firstRefusal = false) {
    super("TOO_MANY_ATTEMPTS", "Too many sign-in attempts; try again later", 429);
  }
}
export const TOO_MANY_ATTEMPTS = () => new TooManyAttempts();

export function createSignInThrottle(pool: Pool): SignInThrottle {
  const limiter = (keyPrefix: string, budget: { points: number; seconds: number }) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: "pool",
      tableName: TABLE,
      // The table is made by the migrations (prisma/schema.prisma), never by the library.
      tableCreated: true,
      // One limiter clears expired rows of the shared table (every 5 minutes, rows an hour old).
      clearExpiredByTimeout: keyPrefix === "addr",
      keyPrefix,
      points: budget.points,
      duration: budget.seconds,
    });
  const address = limiter("addr", BUDGETS.perAddress);
  const account = limiter("acct", BUDGETS.untrustedPerAccount);
  const device = limiter("dev", BUDGETS.perDevice);

  /** The budgets one attempt spends, each with its key. */
  const budgetsOf = (a: Attempt) =>
    a.deviceId
      ? [{ limiter: device, key: `${a.accountKey}:${a.deviceId}` }]
      : [
          { limiter: address, key: a.address },
          { limiter: account, key: a.accountKey },
        ];

  return {
    async take(attempt) {
      // All budgets are charged even when the first refuses: a refused attempt is still a try.
      const budgets = budgetsOf(attempt);
      const results = await Promise.allSettled(budgets.map((b) => b.limiter.consume(b.key)));
      const refused: boolean[] = [];
      for (const [i, r] of results.entries()) {
        if (r.status === "fulfilled") continue;
        if (!(r.reason instanceof RateLimiterRes)) throw r.reason;
        // The point just taken is the budget's first one over: one attempt in the window sees it.
        refused.push(r.reason.consumedPoints === (budgets[i]?.limiter.points ?? 0) + 1);
      }
      if (refused.length > 0) throw new TooManyAttempts(refused.some(Boolean));
      return { attempt };
    },
    async giveBack({ attempt }) {
      await Promise.all(budgetsOf(attempt).map((b) => b.limiter.reward(b.key)));
    },
  };
}

/**
 * An admin's "unlock": the account's budget for unknown browsers and every device budget of it
 * start again. The keys are the library's (`prefix:key`), see budgetsOf.
 */
export async function clearSignInLimits(
  prisma: Pick<PrismaClient, "signInLimit">,
  counsellorId: string,
) {
  await prisma.signInLimit.deleteMany({
    where: {
      OR: [{ key: `acct:${counsellorId}` }, { key: { startsWith: `dev:${counsellorId}:` } }],
    },
  });
}
