import { createHash, randomBytes } from "node:crypto";
import argon2 from "argon2";
import type { Counsellor, CounsellorRole, PrismaClient } from "../db/prisma-client";
import { recordAudit } from "../audit/audit-log";
import { AppError } from "../errors";
import type { SecondFactor } from "./second-factor";
import type { SignInKeys } from "./sign-in-keys";
import { clearSignInLimits, TooManyAttempts, type SignInThrottle } from "./sign-in-throttle";
import { browserLabel } from "./browser-label";

/** Sessions end after this long idle, and in any case after a working day. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 10 * 3600_000;
export const MIN_PASSWORD_LENGTH = 12;

export interface SignedIn {
  counsellor: Counsellor;
  sessionToken: string;
  csrfToken: string;
}

export interface NewCounsellor {
  loginName: string;
  displayName: string;
  password: string;
  role: CounsellorRole;
  regionId: string | null;
  /** Where on-call e-mail reaches her or him (src/oncall/). */
  email?: string | null;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Creates a console account (admin command and admins in the console). */
export async function createCounsellor(
  prisma: PrismaClient,
  input: NewCounsellor,
): Promise<Counsellor> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(
      "PASSWORD_TOO_SHORT",
      `The password needs at least ${MIN_PASSWORD_LENGTH} characters`,
      400,
    );
  }
  if (input.role === "counsellor" && !input.regionId) {
    throw new AppError("REGION_REQUIRED", "A counsellor belongs to one region", 400);
  }
  const existing = await prisma.counsellor.findUnique({ where: { loginName: input.loginName } });
  if (existing) throw new AppError("LOGIN_TAKEN", "That login name is already used", 409);
  return prisma.counsellor.create({
    data: {
      loginName: input.loginName,
      displayName: input.displayName,
      passwordHash: await argon2.hash(input.password, { type: argon2.argon2id }),
      role: input.role,
      regionId: input.regionId,
      email: input.email ?? null,
    },
  });
}

/** Where a sign-in attempt comes from: the client's address and the cookies it sent. */
export interface SignInClient {
  /** express's req.ip (after TRUST_PROXY). */
  address: string;
  cookie(name: string): string | undefined;
  /** The browser's User-Agent, kept only as a coarse label of the session. */
  userAgent?: string;
}

/** A cookie the route sets for the browser. */
export interface CookieToSet {
  name: string;
  value: string;
}

/** A finished sign-in, or a right password whose second factor is still to come. */
export type SignInResult =
  | { kind: "session"; signed: SignedIn; deviceCookie: CookieToSet }
  | { kind: "second-factor"; challengeToken: string };

/** How long the state between a right password and its second factor lives. */
export const CHALLENGE_MS = 5 * 60_000;

const signInFailed = () => new AppError("SIGN_IN_FAILED", "Wrong login name or password", 401);

export function createAuthService(deps: {
  prisma: PrismaClient;
  throttle: SignInThrottle;
  keys: SignInKeys;
  secondFactor: SecondFactor;
  /** Admins and supervisors must use a second factor (REQUIRE_SECOND_FACTOR). */
  requireSecondFactor: boolean;
  now?: () => number;
}) {
  const { prisma, throttle, keys, secondFactor } = deps;
  const now = deps.now ?? Date.now;

  /**
   * One guess (a password or a code) for `loginName`: a point is taken from its budgets before
   * anything is checked (429 when they are spent, alike for known and unknown names), and given
   * back if `check` says it was right.
   */
  async function guess<T>(
    loginName: string,
    counsellor: Counsellor | null,
    client: SignInClient,
    check: () => Promise<T | null>,
  ): Promise<T | null> {
    const deviceId = keys.deviceId(loginName, (name) => client.cookie(name));
    const taken = await throttle.take({
      address: client.address,
      accountKey: counsellor?.id ?? keys.unknownNameKey(loginName),
      deviceId,
    });
    const right = await check();
    if (right !== null) await throttle.giveBack(taken);
    return right;
  }

  /**
   * A failed sign-in, audited: the account when the name typed is one (never the name itself,
   * so the log lists no names tried), the step, and a coarse reason.
   */
  const signInFailedAudit = (
    counsellor: Counsellor | null,
    step: "password" | "second-factor",
    reason: string,
  ) =>
    recordAudit(prisma, {
      by: counsellor?.id ?? null,
      action: "sign-in-failed",
      detail: { step, reason },
    });

  /**
   * A guess refused because a budget is spent (429) is a failed sign-in too: audited once, when
   * the budget first refuses in its window. The refusals after it cost no password check, and
   * must cost no audit row either (each takes the audit chain's lock): a client sending them
   * without end would otherwise fill the log and slow every audited action of the console.
   */
  async function audited<T>(
    counsellor: Counsellor | null,
    step: "password" | "second-factor",
    attempt: () => Promise<T>,
  ): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof TooManyAttempts && error.firstRefusal) {
        await signInFailedAudit(counsellor, step, "throttled");
      }
      throw error;
    }
  }

  async function signIn(
    loginName: string,
    password: string,
    client: SignInClient,
  ): Promise<SignInResult> {
    const counsellor = await prisma.counsellor.findUnique({ where: { loginName } });
    const ok = await audited(counsellor, "password", () =>
      guess(loginName, counsellor, client, async () => {
        // Verified even for an unknown name, so the time taken does not tell which names exist.
        const right = await argon2
          .verify(counsellor?.passwordHash ?? DUMMY_HASH, password)
          .catch(() => false);
        return right && counsellor?.active ? counsellor : null;
      }),
    );
    if (!ok) {
      await signInFailedAudit(
        counsellor,
        "password",
        !counsellor ? "unknown-name" : !counsellor.active ? "inactive" : "wrong-password",
      );
      throw signInFailed();
    }
    if (ok.secondFactorAt) {
      const challengeToken = randomBytes(32).toString("base64url");
      await prisma.signInChallenge.create({
        data: {
          tokenHash: hashToken(challengeToken),
          counsellorId: ok.id,
          expiresAt: new Date(now() + CHALLENGE_MS),
        },
      });
      return { kind: "second-factor", challengeToken };
    }
    return { kind: "session", ...(await startSession(ok, client)) };
  }

  /** The second step: her app's code or a recovery code, within CHALLENGE_MS of the password. */
  async function completeSignIn(
    challengeToken: string | undefined,
    code: string,
    client: SignInClient,
  ): Promise<Extract<SignInResult, { kind: "session" }>> {
    const challenge = challengeToken
      ? await prisma.signInChallenge.findUnique({
          where: { tokenHash: hashToken(challengeToken) },
          include: { counsellor: true },
        })
      : null;
    if (!challenge || challenge.expiresAt.getTime() < now() || !challenge.counsellor.active) {
      await signInFailedAudit(challenge?.counsellor ?? null, "second-factor", "expired");
      throw new AppError("SIGN_IN_EXPIRED", "Sign in again with your password", 401);
    }
    const c = challenge.counsellor;
    const match = await audited(c, "second-factor", () =>
      guess(c.loginName, c, client, () => secondFactor.check(c, code)),
    );
    if (!match) {
      await signInFailedAudit(c, "second-factor", "code-wrong");
      throw new AppError("CODE_WRONG", "That code is not right", 401);
    }
    // Used once: a second request with the same state finds nothing.
    const used = await prisma.signInChallenge.deleteMany({ where: { id: challenge.id } });
    if (used.count === 0) throw new AppError("SIGN_IN_EXPIRED", "Sign in again", 401);
    return { kind: "session", ...(await startSession(c, client, match)) };
  }

  /** A new session, audited (`secondFactor`: the kind of code that completed it, if any). */
  async function startSession(
    counsellor: Counsellor,
    client: SignInClient,
    secondFactorUsed?: string,
  ) {
    const sessionToken = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(24).toString("base64url");
    // By the same clock as session() measures idleness with, not the database's.
    const at = now();
    await prisma.$transaction(async (tx) => {
      await tx.counsellor.update({
        where: { id: counsellor.id },
        data: { lastSignInAt: new Date(at) },
      });
      const session = await tx.consoleSession.create({
        data: {
          tokenHash: hashToken(sessionToken),
          csrfToken,
          counsellorId: counsellor.id,
          createdAt: new Date(at),
          lastSeenAt: new Date(at),
          expiresAt: new Date(at + SESSION_MAX_MS),
          clientLabel: browserLabel(client.userAgent),
        },
      });
      await recordAudit(tx, {
        by: counsellor.id,
        action: "sign-in",
        detail: { sessionId: session.id, secondFactor: secondFactorUsed ?? null },
      });
    });
    // This browser is known to this account from now on (a fresh device id at each sign-in).
    const deviceCookie = {
      name: keys.deviceCookieName(counsellor.loginName),
      value: keys.newDeviceCookie(counsellor.loginName),
    };
    return { signed: { counsellor, sessionToken, csrfToken }, deviceCookie };
  }

  /** Admins and supervisors without a second factor, where one is required: enrol first. */
  const mustEnrol = (c: Counsellor) =>
    deps.requireSecondFactor && c.role !== "counsellor" && !c.secondFactorAt;

  /** The session behind a cookie value, if it is still alive (touching it keeps it alive). */
  async function session(sessionToken: string) {
    const found = await prisma.consoleSession.findUnique({
      where: { tokenHash: hashToken(sessionToken) },
      include: { counsellor: true },
    });
    if (!found || !found.counsellor.active) return null;
    const t = now();
    if (found.expiresAt.getTime() < t || found.lastSeenAt.getTime() + SESSION_IDLE_MS < t) {
      await prisma.consoleSession.delete({ where: { id: found.id } }).catch(() => undefined);
      return null;
    }
    // Write the touch at most once a minute: every console request passes here.
    if (t - found.lastSeenAt.getTime() > 60_000) {
      await prisma.consoleSession.update({
        where: { id: found.id },
        data: { lastSeenAt: new Date(t) },
      });
    }
    return { ...found, mustEnrolSecondFactor: mustEnrol(found.counsellor) };
  }

  /** Signing out ends the session, audited. */
  async function signOut(sessionToken: string): Promise<void> {
    await prisma.$transaction(async (tx) => {
      const found = await tx.consoleSession.findUnique({
        where: { tokenHash: hashToken(sessionToken) },
      });
      if (!found) return;
      await tx.consoleSession.deleteMany({ where: { id: found.id } });
      await recordAudit(tx, {
        by: found.counsellorId,
        action: "sign-out",
        detail: { sessionId: found.id },
      });
    });
  }

  /** An admin creates an account; the audit log keeps who made which. */
  async function createAccount(by: string, input: NewCounsellor): Promise<Counsellor> {
    const c = await createCounsellor(prisma, input);
    await recordAudit(prisma, {
      by,
      action: "create-account",
      detail: { accountId: c.id, role: c.role },
    });
    return c;
  }

  const accountOf = (id: string) => prisma.counsellor.findUniqueOrThrow({ where: { id } });

  /** An account an admin may act on: any for a global admin, her region's for a regional one. */
  async function accountInScope(admin: AccountActor, id: string): Promise<Counsellor> {
    const c = await prisma.counsellor.findFirst({
      where: { id, ...(admin.regionId ? { regionId: admin.regionId } : {}) },
    });
    if (!c) throw new AppError("NOT_FOUND", "No such account", 404);
    return c;
  }

  /** The second factor, for the signed-in user herself. */
  const ownSecondFactor = {
    start: async (userId: string) => secondFactor.start(await accountOf(userId)),
    confirm: async (userId: string, code: string) =>
      secondFactor.confirm(await accountOf(userId), code),
    /** Off again, with her password or a code (a guess like any other: it is throttled). */
    async disable(
      userId: string,
      proof: { password?: string; code?: string },
      client: SignInClient,
    ) {
      const c = await accountOf(userId);
      if (deps.requireSecondFactor && c.role !== "counsellor") {
        throw new AppError(
          "SECOND_FACTOR_REQUIRED",
          "Admins and supervisors must keep a second factor here",
          409,
        );
      }
      if (!c.secondFactorAt) return;
      const right = await guess(c.loginName, c, client, async () => {
        if (proof.password) return (await argon2.verify(c.passwordHash, proof.password)) || null;
        if (proof.code) return (await secondFactor.check(c, proof.code)) ?? null;
        return null;
      });
      if (!right) throw new AppError("PROOF_WRONG", "Wrong password or code", 403);
      await secondFactor.remove(c.id, { by: c.id, action: "disable-second-factor" });
    },
    /** What the console shows her: on or off, required or not, recovery codes left. */
    async state(userId: string) {
      const c = await accountOf(userId);
      return {
        enabled: c.secondFactorAt !== null,
        required: deps.requireSecondFactor && c.role !== "counsellor",
        recoveryCodesLeft: c.secondFactorAt ? await secondFactor.remainingRecoveryCodes(c.id) : 0,
      };
    },
  };

  /** An admin clears an account's sign-in throttling (audited). */
  async function unlock(admin: AccountActor, id: string) {
    const c = await accountInScope(admin, id);
    await clearSignInLimits(prisma, c.id);
    await recordAudit(prisma, {
      by: admin.id,
      action: "unlock-account",
      detail: { counsellorId: c.id },
    });
  }

  /** An admin removes someone's second factor, when she lost her phone (audited). */
  async function resetSecondFactor(admin: AccountActor, id: string) {
    const c = await accountInScope(admin, id);
    await secondFactor.remove(c.id, { by: admin.id, action: "reset-second-factor" });
  }

  /**
   * Her own password, asked again to change it: a guess like any other (throttled on her
   * account's budgets), so a session left open is no way to find out her password.
   */
  async function checkOwnPassword(userId: string, password: string, client: SignInClient) {
    const c = await accountOf(userId);
    const right = await guess(c.loginName, c, client, async () =>
      (await argon2.verify(c.passwordHash, password).catch(() => false)) ? true : null,
    );
    return right === true;
  }

  return {
    signIn,
    completeSignIn,
    checkOwnPassword,
    session,
    signOut,
    createAccount,
    ownSecondFactor,
    unlock,
    resetSecondFactor,
    mustEnrol,
  };
}

/** Who acts on an account: an admin in the console (a regional one only within her region). */
export interface AccountActor {
  id: string;
  regionId: string | null;
}

export type AuthService = ReturnType<typeof createAuthService>;

/** An argon2id hash of a random string: lets a sign-in with an unknown name cost the same. */
const DUMMY_HASH =
  "$argon2id$v=19$m=65536,p=4,t=3$apScKGb9UMbRRXKaHIvglw$OXxq2ZlSxsdX6tlgdQ61T/PV0cw/+bKV96iWHAT44Ws";
