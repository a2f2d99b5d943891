import { createHash, randomBytes } from "node:crypto";
import argon2 from "argon2";
import type { Counsellor, CounsellorRole, PrismaClient } from "../db/prisma-client";
import { recordAudit } from "../audit/audit-log";
import { AppError } from "../errors";
import { browserLabel } from "./browser-label";

/** Sessions end after this long idle, and in any case after a working day. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 10 * 3600_000;
/** Sign-in: this many failures lock the account for LOCK_MS. */
const MAX_FAILURES = 5;
const LOCK_MS = 15 * 60_000;
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

export function createAuthService(deps: { prisma: PrismaClient; now?: () => number }) {
  const { prisma } = deps;
  const now = deps.now ?? Date.now;

  /** `client`: the browser's User-Agent, kept only as a coarse label of the session. */
  async function signIn(
    loginName: string,
    password: string,
    client: { userAgent?: string } = {},
  ): Promise<SignedIn> {
    const counsellor = await prisma.counsellor.findUnique({ where: { loginName } });
    if (counsellor?.lockedUntil && counsellor.lockedUntil.getTime() > now()) {
      throw new AppError("TOO_MANY_ATTEMPTS", "Too many failed sign-ins; try again later", 429);
    }
    // Verify even for an unknown name, so timing does not tell which names exist.
    const ok = await argon2
      .verify(counsellor?.passwordHash ?? DUMMY_HASH, password)
      .catch(() => false);
    if (!counsellor || !counsellor.active || !ok) {
      if (counsellor) await recordFailure(counsellor);
      throw new AppError("SIGN_IN_FAILED", "Wrong login name or password", 401);
    }
    // By the same clock as session() measures idleness with, not the database's.
    const at = now();
    await prisma.counsellor.update({
      where: { id: counsellor.id },
      data: { failedLogins: 0, lockedUntil: null, lastSignInAt: new Date(at) },
    });
    const sessionToken = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(24).toString("base64url");
    await prisma.consoleSession.create({
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
    return { counsellor, sessionToken, csrfToken };
  }

  async function recordFailure(counsellor: Counsellor) {
    const failures = counsellor.failedLogins + 1;
    await prisma.counsellor.update({
      where: { id: counsellor.id },
      data: {
        failedLogins: failures >= MAX_FAILURES ? 0 : failures,
        lockedUntil: failures >= MAX_FAILURES ? new Date(now() + LOCK_MS) : counsellor.lockedUntil,
      },
    });
  }

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
    return found;
  }

  async function signOut(sessionToken: string): Promise<void> {
    await prisma.consoleSession.deleteMany({ where: { tokenHash: hashToken(sessionToken) } });
  }

  /** An admin creates an account; the audit log keeps who made which. */
  async function createAccount(by: string, input: NewCounsellor): Promise<Counsellor> {
    const c = await createCounsellor(prisma, input);
    await recordAudit(prisma, {
      by,
      action: "create-account",
      detail: { loginName: c.loginName, role: c.role },
    });
    return c;
  }

  return { signIn, session, signOut, createAccount };
}

export type AuthService = ReturnType<typeof createAuthService>;

/** An argon2id hash of a random string: lets a sign-in with an unknown name cost the same. */
const DUMMY_HASH =
  "$argon2id$v=19$m=65536,p=4,t=3$apScKGb9UMbRRXKaHIvglw$OXxq2ZlSxsdX6tlgdQ61T/PV0cw/+bKV96iWHAT44Ws";
