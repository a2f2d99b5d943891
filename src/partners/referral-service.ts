import { recordAudit } from "../audit/audit-log";
import type { Prisma, PrismaClient, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import { createTaskIn } from "../tasks/task-service";
import { servesRegion } from "./partner-directory";
import { reachOf, type PartnerActor } from "./partner-service";
import type { Consent, ReferralOutcome } from "./partner-types";

/** The consultation a referral comes from: a LINE conversation or a manual entry, exactly one. */
export type ReferralSource = { conversationId: string } | { entryId: string };

export interface NewReferral {
  partnerId: string;
  consent: Consent;
  /** A day (YYYY-MM-DD, today or later) to check on it: a call-back task in the task list. */
  followUpOn?: string | undefined;
}

export interface ReferralOutcomeInput {
  outcome: ReferralOutcome;
  followUpOn?: string | undefined;
}

const include = {
  partner: { select: { id: true, name: true, archivedAt: true } },
  createdBy: { select: { displayName: true } },
  followUpTask: { select: { id: true, closedAt: true } },
} satisfies Prisma.ReferralInclude;

type ReferralRow = Prisma.ReferralGetPayload<{ include: typeof include }>;

/** A referral as the console shows it (src/console/API.md, "Referrals"). */
export function referralView(r: ReferralRow) {
  return {
    id: r.id,
    conversationId: r.conversationId,
    entryId: r.entryId,
    regionId: r.regionId,
    partner: { id: r.partner.id, name: r.partner.name, archived: r.partner.archivedAt !== null },
    consent: r.consent as Consent,
    outcome: r.outcome as ReferralOutcome,
    followUpOn: r.followUpOn?.toISOString().slice(0, 10) ?? null,
    followUpTaskId: r.followUpTask?.id ?? null,
    createdAt: r.createdAt.toISOString(),
    createdByName: r.createdBy.displayName,
    outcomeAt: r.outcomeAt?.toISOString() ?? null,
  };
}
export type ReferralView = ReturnType<typeof referralView>;

const inReach = (user: PartnerActor, regionId: string) => {
  const region = reachOf(user);
  return region === null || region === regionId;
};

/**
 * A woman's referrals, oldest first, for her case file: those of her LINE conversations (her
 * person id, or the conversations given) and of the manual entries given. The caller scopes by
 * region (each view has its `regionId`).
 */
export async function listReferralsOf(
  prisma: PrismaClient | Tx,
  her: {
    personId?: string | null;
    conversationIds?: readonly string[];
    entryIds?: readonly string[];
  },
): Promise<ReferralView[]> {
  const or: Prisma.ReferralWhereInput[] = [];
  if (her.personId) or.push({ conversation: { personId: her.personId } });
  if (her.conversationIds?.length) or.push({ conversationId: { in: [...her.conversationIds] } });
  if (her.entryIds?.length) or.push({ entryId: { in: [...her.entryIds] } });
  if (or.length === 0) return [];
  const rows = await prisma.referral.findMany({
    where: { OR: or },
    include,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map(referralView);
}

/**
 * Referral records: made from a consultation the user reaches (its region is the referral's),
 * to a partner of the directory serving her or his region and not archived; later their
 * outcome. A follow-up day makes a call-back task in the one task list, in the same
 * transaction. Audited with ids and codes only.
 */
export function createReferralService(deps: { prisma: PrismaClient; now?: () => Date }) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());

  /** The consultation's region and conversation, if the user reaches it (else 404). */
  async function sourceOf(tx: Tx | PrismaClient, user: PartnerActor, input: ReferralSource) {
    if ("conversationId" in input) {
      const c = await tx.conversation.findUnique({
        where: { id: input.conversationId },
        select: { regionId: true },
      });
      if (!c?.regionId || !inReach(user, c.regionId)) {
        throw new AppError("NOT_FOUND", "No such conversation", 404);
      }
      return { regionId: c.regionId, conversationId: input.conversationId, entryId: null };
    }
    const e = await tx.consultationEntry.findUnique({
      where: { id: input.entryId },
      select: { regionId: true, deletedAt: true },
    });
    if (!e || e.deletedAt || !inReach(user, e.regionId)) {
      throw new AppError("NOT_FOUND", "No such entry", 404);
    }
    return { regionId: e.regionId, conversationId: null, entryId: input.entryId };
  }

  async function followUpTask(
    tx: Tx,
    user: PartnerActor,
    at: Date,
    r: { regionId: string; conversationId: string | null; entryId: string | null },
    dueOn: string | undefined,
  ) {
    if (!dueOn) return undefined;
    // The task follows the consultation the referral came from: her conversation or her entry.
    const task = await createTaskIn(
      tx,
      user,
      {
        kind: "call-back",
        dueOn,
        regionId: r.regionId,
        conversationId: r.conversationId ?? undefined,
        entryId: r.entryId ?? undefined,
      },
      at,
    );
    return task.id;
  }

  return {
    create(user: PartnerActor, from: ReferralSource, input: NewReferral): Promise<{ id: string }> {
      return prisma.$transaction(async (tx) => {
        const source = await sourceOf(tx, user, from);
        // A partner the user does not see answers as one that does not exist.
        const partner = await tx.partner.findUnique({ where: { id: input.partnerId } });
        if (!partner || !servesRegion(partner, reachOf(user))) {
          throw new AppError("UNKNOWN_PARTNER", "No such partner in the directory", 400);
        }
        if (partner.archivedAt) {
          throw new AppError("PARTNER_ARCHIVED", "That partner is no longer in the directory", 409);
        }
        const at = now();
        const taskId = await followUpTask(tx, user, at, source, input.followUpOn);
        const row = await tx.referral.create({
          data: {
            ...source,
            partnerId: partner.id,
            consent: input.consent,
            followUpOn: input.followUpOn ? new Date(`${input.followUpOn}T00:00:00Z`) : null,
            followUpTaskId: taskId ?? null,
            createdById: user.id,
            createdAt: at,
          },
          select: { id: true },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "referral-create",
          conversationId: source.conversationId,
          detail: {
            referralId: row.id,
            partnerId: partner.id,
            consent: input.consent,
            entryId: source.entryId,
            taskId,
            dueOn: input.followUpOn,
          },
        });
        return row;
      });
    },

    /** Records how it turned out (again, when it changes); a follow-up day makes a new task. */
    setOutcome(user: PartnerActor, id: string, input: ReferralOutcomeInput): Promise<void> {
      return prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM referral WHERE id = ${id}::uuid FOR UPDATE`;
        const r = await tx.referral.findUnique({ where: { id } });
        if (!r || !inReach(user, r.regionId)) {
          throw new AppError("NOT_FOUND", "No such referral", 404);
        }
        const at = now();
        const taskId = await followUpTask(tx, user, at, r, input.followUpOn);
        await tx.referral.update({
          where: { id },
          data: {
            outcome: input.outcome,
            outcomeAt: at,
            ...(taskId
              ? {
                  followUpOn: new Date(`${input.followUpOn ?? ""}T00:00:00Z`),
                  followUpTaskId: taskId,
                }
              : {}),
          },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "referral-outcome",
          conversationId: r.conversationId,
          detail: { referralId: id, outcome: input.outcome, taskId, dueOn: input.followUpOn },
        });
      });
    },

    async one(user: PartnerActor, id: string): Promise<ReferralView> {
      const r = await prisma.referral.findUnique({ where: { id }, include });
      if (!r || !inReach(user, r.regionId)) {
        throw new AppError("NOT_FOUND", "No such referral", 404);
      }
      return referralView(r);
    },

    /** The referrals of one consultation the user reaches (else 404), oldest first. */
    async ofConsultation(user: PartnerActor, from: ReferralSource): Promise<ReferralView[]> {
      const source = await sourceOf(prisma, user, from);
      return listReferralsOf(prisma, {
        conversationIds: source.conversationId ? [source.conversationId] : [],
        entryIds: source.entryId ? [source.entryId] : [],
      });
    },
  };
}

export type ReferralService = ReturnType<typeof createReferralService>;
