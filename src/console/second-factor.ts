import { randomInt } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";
import type { Counsellor, PrismaClient } from "../db/prisma-client";
import { recordAudit, type AuditRecord } from "../audit/audit-log";
import { AppError } from "../errors";
import type { Sealer } from "../privacy/sealer";
import type { SignInKeys } from "./sign-in-keys";

/** What an authenticator app shows: the console's name and her login name. */
const ISSUER = "相談員コンソール";
export const RECOVERY_CODES = 10;
/** Letters and digits that cannot be mistaken for one another when copied from paper. */
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
/** A code from the step before or after is accepted too (a phone's clock a little off). */
const EPOCH_TOLERANCE_S = 30;

export interface Enrolment {
  /** Base32, for typing into an authenticator app by hand. */
  secret: string;
  otpauthUrl: string;
  /** The same as a QR code (PNG data URL; the console's CSP allows data: images). */
  qrDataUrl: string;
}

/** What a second-factor code turned out to be, or null when it was wrong. */
export type SecondFactorMatch = "totp" | "recovery-code" | null;

/** A recovery code as typed: case, spaces and hyphens do not matter. */
const normalise = (code: string) => code.toLowerCase().replace(/[\s-]/g, "");

function newRecoveryCode(): string {
  const chars = Array.from(
    { length: 10 },
    () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)],
  ).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/**
 * TOTP (otplib) and recovery codes for console accounts. The TOTP secret is kept sealed; the
 * recovery codes as keyed hashes, each good once. Every check is atomic in the database: a TOTP
 * time step or a recovery code used by one sign-in is refused to a parallel one.
 */
export function createSecondFactor(deps: {
  prisma: PrismaClient;
  sealer: Sealer;
  keys: SignInKeys;
  now: () => number;
}) {
  const { prisma, sealer, keys } = deps;
  const epoch = () => Math.floor(deps.now() / 1000);

  async function start(counsellor: Counsellor): Promise<Enrolment> {
    if (counsellor.secondFactorAt) {
      throw new AppError("SECOND_FACTOR_ENABLED", "The second factor is on already", 409);
    }
    const secret = generateSecret();
    await prisma.counsellor.update({
      where: { id: counsellor.id },
      data: { totpSecret: sealer.seal(secret), totpLastStep: null },
    });
    const otpauthUrl = generateURI({ issuer: ISSUER, label: counsellor.loginName, secret });
    return { secret, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 2 }) };
  }

  /** The first code confirms the app has the secret; the recovery codes are shown this once. */
  async function confirm(counsellor: Counsellor, code: string): Promise<string[]> {
    if (counsellor.secondFactorAt || !counsellor.totpSecret) {
      throw new AppError("NO_ENROLMENT", "Start setting up the second factor first", 409);
    }
    const step = await totpStep(counsellor, code);
    if (step === null) throw new AppError("CODE_WRONG", "That code is not right", 400);
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await prisma.$transaction(async (tx) => {
      const confirmed = await tx.counsellor.updateMany({
        where: { id: counsellor.id, secondFactorAt: null },
        data: { secondFactorAt: new Date(deps.now()), totpLastStep: step },
      });
      if (confirmed.count === 0) {
        throw new AppError("SECOND_FACTOR_ENABLED", "The second factor is on already", 409);
      }
      await tx.recoveryCode.deleteMany({ where: { counsellorId: counsellor.id } });
      await tx.recoveryCode.createMany({
        data: codes.map((c) => ({
          counsellorId: counsellor.id,
          codeHash: keys.recoveryCodeHash(normalise(c)),
        })),
      });
      await recordAudit(tx, { by: counsellor.id, action: "enable-second-factor" });
    });
    return codes;
  }

  /** The TOTP time step `code` belongs to, if it is her app's code now (not yet used). */
  async function totpStep(counsellor: Counsellor, code: string): Promise<number | null> {
    const token = code.replace(/\s/g, "");
    if (!counsellor.totpSecret || !/^\d{6}$/.test(token)) return null;
    const result = await verify({
      secret: sealer.open(counsellor.totpSecret),
      token,
      epoch: epoch(),
      epochTolerance: EPOCH_TOLERANCE_S,
      ...(counsellor.totpLastStep !== null ? { afterTimeStep: counsellor.totpLastStep } : {}),
    }).catch(() => ({ valid: false as const }));
    return result.valid && "timeStep" in result ? result.timeStep : null;
  }

  /** A sign-in's second step: her app's code or one of her recovery codes, each used once. */
  async function check(counsellor: Counsellor, code: string): Promise<SecondFactorMatch> {
    const step = await totpStep(counsellor, code);
    if (step !== null) {
      const taken = await prisma.counsellor.updateMany({
        where: {
          id: counsellor.id,
          OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }],
        },
        data: { totpLastStep: step },
      });
      return taken.count === 1 ? "totp" : null;
    }
    const used = await prisma.recoveryCode.updateMany({
      where: {
        counsellorId: counsellor.id,
        codeHash: { in: keys.recoveryCodeHashes(normalise(code)) },
        usedAt: null,
      },
      data: { usedAt: new Date(deps.now()) },
    });
    if (used.count === 0) return null;
    await recordAudit(prisma, { by: counsellor.id, action: "sign-in-recovery-code" });
    return "recovery-code";
  }

  const remainingRecoveryCodes = (counsellorId: string) =>
    prisma.recoveryCode.count({ where: { counsellorId, usedAt: null } });

  const remove = (counsellorId: string, audit: { by: string | null; action: string }) =>
    removeSecondFactor(prisma, counsellorId, { ...audit, detail: { counsellorId } });

  return { start, confirm, check, remove, remainingRecoveryCodes };
}

/**
 * Turns it off: her own choice, or an admin's (console or `npm run admin`) when she lost her
 * phone. Audited; a sign-in waiting for her code ends with it.
 */
export async function removeSecondFactor(
  prisma: PrismaClient,
  counsellorId: string,
  audit: AuditRecord,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.counsellor.update({
      where: { id: counsellorId },
      data: { totpSecret: null, secondFactorAt: null, totpLastStep: null },
    });
    await tx.recoveryCode.deleteMany({ where: { counsellorId } });
    await tx.signInChallenge.deleteMany({ where: { counsellorId } });
    await recordAudit(tx, audit);
  });
}

export type SecondFactor = ReturnType<typeof createSecondFactor>;
