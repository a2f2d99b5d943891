import { randomBytes } from "node:crypto";
import argon2 from "argon2";
import type { Counsellor, CounsellorRole, Prisma, PrismaClient } from "../db/prisma-client";
import { clearSignInLimits } from "./sign-in-throttle";
import { recordAudit } from "../audit/audit-log";
import { returnChatsOf } from "../conversations/counsellor-service";
import { AppError } from "../errors";
import { MIN_PASSWORD_LENGTH, SESSION_IDLE_MS } from "./auth-service";

/**
 * The one place an account's life changes after it was made: deactivated and reactivated, its
 * password reset by an admin or changed by her, its sessions listed and ended. Ending a session
 * deletes its row; the database announces that on `lws_console` (the account_lifecycle
 * migration) and every web process ends the session's live-events streams.
 *
 * Who may act on whom: an admin bound to a region (regionId set) reaches only the accounts of
 * that region, and other accounts do not exist for it (404); only a global admin (regionId null)
 * makes admins or accounts for every region. The command line (`npm run admin`) acts as a global
 * admin with no account (`id` null in the audit log).
 */
export interface Actor {
  id: string | null;
  role: CounsellorRole;
  regionId: string | null;
}

/** `npm run admin`: whoever may run it on the server may do anything an admin may. */
export const COMMAND_LINE: Actor = { id: null, role: "admin", regionId: null };

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  clientLabel: string | null;
  /** The session the request came with ("this browser"). */
  current: boolean;
}

export function createAccountService(deps: { prisma: PrismaClient; now?: () => number }) {
  const { prisma } = deps;
  const now = deps.now ?? Date.now;

  /** The accounts an admin may see and change. */
  const inReach = (actor: Actor): Prisma.CounsellorWhereInput =>
    actor.regionId === null ? {} : { regionId: actor.regionId };

  async function accountInReach(actor: Actor, id: string): Promise<Counsellor> {
    const found = await prisma.counsellor.findFirst({ where: { AND: [{ id }, inReach(actor)] } });
    if (!found) throw new AppError("NOT_FOUND", "No such account", 404);
    return found;
  }

  async function byLogin(loginName: string): Promise<Counsellor> {
    const found = await prisma.counsellor.findUnique({ where: { loginName } });
    if (!found) throw new AppError("NOT_FOUND", `No account "${loginName}"`, 404);
    return found;
  }

  /** Refuses an account above the actor's reach: an admin, or another region or all of them. */
  function checkCanMake(actor: Actor, role: CounsellorRole, regionId: string | null): void {
    if (actor.regionId === null) return;
    if (role === "admin") {
      throw new AppError("ABOVE_YOUR_REACH", "Only an admin of every region makes admins", 403);
    }
    if (regionId !== actor.regionId) {
      throw new AppError(
        "ABOVE_YOUR_REACH",
        "An admin of one region makes accounts of that region only",
        403,
      );
    }
  }

  async function list(actor: Actor) {
    const t = now();
    const rows = await prisma.counsellor.findMany({
      where: inReach(actor),
      orderBy: { loginName: "asc" },
      include: { _count: { select: { sessions: { where: liveSessions(t) } } } },
    });
    return rows.map((c) => ({
      id: c.id,
      loginName: c.loginName,
      displayName: c.displayName,
      role: c.role,
      regionId: c.regionId,
      active: c.active,
      mustChangePassword: c.mustChangePassword,
      lastSignInAt: c.lastSignInAt?.toISOString() ?? null,
      sessions: c._count.sessions,
    }));
  }

  /**
   * Deactivated: she cannot sign in, her sessions and live streams end at once, and the chats
   * she had go back to their queues.
   */
  async function setActive(actor: Actor, account: Counsellor, active: boolean): Promise<void> {
    if (!active && account.id === actor.id) {
      throw new AppError("CANNOT_DEACTIVATE_SELF", "You cannot deactivate your own account", 409);
    }
    await prisma.$transaction(async (tx) => {
      await tx.counsellor.update({ where: { id: account.id }, data: { active } });
      if (!active) {
        await tx.consoleSession.deleteMany({ where: { counsellorId: account.id } });
        await returnChatsOf(tx, account.id, actor.id);
      }
      await recordAudit(tx, {
        by: actor.id,
        action: active ? "reactivate-account" : "deactivate-account",
        detail: { accountId: account.id },
      });
    });
  }

  /**
   * A one-time password, returned once to show the admin: her sessions end, and at her next
   * sign-in she must choose her own before anything else.
   */
  async function resetPassword(actor: Actor, account: Counsellor): Promise<string> {
    if (account.id === actor.id) {
      throw new AppError(
        "USE_CHANGE_PASSWORD",
        "Change your own password on your account page",
        409,
      );
    }
    const password = oneTimePassword();
    const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
    await prisma.$transaction(async (tx) => {
      await tx.counsellor.update({
        where: { id: account.id },
        data: { passwordHash, mustChangePassword: true },
      });
      // A new password: the guessing budgets of the old one start again.
      await clearSignInLimits(tx, account.id);
      await tx.consoleSession.deleteMany({ where: { counsellorId: account.id } });
      await recordAudit(tx, {
        by: actor.id,
        action: "reset-password",
        detail: { accountId: account.id },
      });
    });
    return password;
  }

  /**
   * Her own new password: the current one first, checked by `checkCurrent` (the sign-in's
   * throttled check); her other sessions end, this one stays.
   */
  async function changeOwnPassword(
    user: { id: string; sessionId: string },
    currentPassword: string,
    newPassword: string,
    checkCurrent: (password: string) => Promise<boolean>,
  ): Promise<void> {
    const me = await prisma.counsellor.findUniqueOrThrow({ where: { id: user.id } });
    if (!(await checkCurrent(currentPassword))) {
      throw new AppError("WRONG_PASSWORD", "The current password is wrong", 403);
    }
    if (newPassword.length < MIN_PASSWORD_LENGTH) {
      throw new AppError(
        "PASSWORD_TOO_SHORT",
        `The password needs at least ${MIN_PASSWORD_LENGTH} characters`,
        400,
      );
    }
    if (newPassword === currentPassword) {
      throw new AppError("PASSWORD_UNCHANGED", "Choose a password other than the current one", 400);
    }
    const passwordHash = await argon2.hash(newPassword, { type: argon2.argon2id });
    await prisma.$transaction(async (tx) => {
      await tx.counsellor.update({
        where: { id: me.id },
        data: { passwordHash, mustChangePassword: false },
      });
      await tx.consoleSession.deleteMany({
        where: { counsellorId: me.id, id: { not: user.sessionId } },
      });
      await recordAudit(tx, { by: me.id, action: "change-password", detail: {} });
    });
  }

  async function sessionsOf(counsellorId: string, currentSessionId?: string) {
    const rows = await prisma.consoleSession.findMany({
      where: { counsellorId, ...liveSessions(now()) },
      orderBy: { lastSeenAt: "desc" },
    });
    return rows.map((r): SessionInfo => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      clientLabel: r.clientLabel,
      current: r.id === currentSessionId,
    }));
  }

  /**
   * Ends one session: her own, or (an admin) one of an account in reach. Any other session is
   * not found, whoever's it is.
   */
  async function endSession(actor: Actor, sessionId: string): Promise<void> {
    const found = await prisma.consoleSession.findUnique({
      where: { id: sessionId },
      include: { counsellor: true },
    });
    const own = found !== null && found.counsellorId === actor.id;
    const reaches =
      found !== null &&
      actor.role === "admin" &&
      (actor.regionId === null || found.counsellor.regionId === actor.regionId);
    if (!found || !(own || reaches)) throw new AppError("NOT_FOUND", "No such session", 404);
    await prisma.$transaction(async (tx) => {
      await tx.consoleSession.deleteMany({ where: { id: sessionId } });
      await recordAudit(tx, {
        by: actor.id,
        action: "end-session",
        detail: { accountId: found.counsellorId, sessionId },
      });
    });
  }

  /** Every session of an account (the command line). */
  async function endAllSessions(actor: Actor, account: Counsellor): Promise<number> {
    return prisma.$transaction(async (tx) => {
      const ended = await tx.consoleSession.deleteMany({ where: { counsellorId: account.id } });
      await recordAudit(tx, {
        by: actor.id,
        action: "end-session",
        detail: { accountId: account.id, sessions: ended.count },
      });
      return ended.count;
    });
  }

  return {
    accountInReach,
    byLogin,
    checkCanMake,
    list,
    setActive,
    resetPassword,
    changeOwnPassword,
    sessionsOf,
    endSession,
    endAllSessions,
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

/** Sessions that have not expired, by the same rules as auth-service's session(). */
function liveSessions(t: number): Prisma.ConsoleSessionWhereInput {
  return { expiresAt: { gte: new Date(t) }, lastSeenAt: { gte: new Date(t - SESSION_IDLE_MS) } };
}

/** 16 characters from an alphabet without look-alikes (0/O, 1/l/I): read out or typed once. */
function oneTimePassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(16);
  // 256 is not a multiple of 56: the slight bias leaves well over 90 bits of guessing.
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/**
 * Her own display name (the name she is shown as), audited without it: the name is on the
 * account, and an old one is not kept in the audit log.
 */
export async function changeDisplayName(
  prisma: PrismaClient,
  counsellorId: string,
  displayName: string,
): Promise<Counsellor> {
  return prisma.$transaction(async (tx) => {
    const updated = await tx.counsellor.update({
      where: { id: counsellorId },
      data: { displayName },
    });
    await recordAudit(tx, { by: counsellorId, action: "change-display-name" });
    return updated;
  });
}
