import type { PrismaClient, Prisma } from "../db/prisma-client";
import { recordAudit } from "../audit/audit-log";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { conversationScope, regionsOf } from "../conversations/conversation-scope";
import { periodOf } from "./stats-period";
import type { EntriesQuery, EntryInput, EntryLink, EntryView } from "./stats-schemas";
import type { UnlinkReason } from "./stats-types";
import { CHANNEL_LABELS, type Channel } from "./stats-types";
import type { StatsUser } from "./stats-service";

/** At most this many entries in one list: a longer period is narrowed by the user. */
const LIST_LIMIT = 500;

/** The fields a correction can change, as the audit names them (never their values). */
const FIELDS = [
  "channel",
  "regionId",
  "startedAt",
  "durationMinutes",
  "topics",
  "ageBand",
  "referrals",
  "followUps",
  "riskLevel",
  "personId",
  "caseRef",
  "firstContact",
] as const;

type EntryRow = Prisma.ConsultationEntryGetPayload<{
  include: { person: { select: { pseudonym: true } } };
}>;

/**
 * The consultations entered by hand (phone, e-mail, visit, 訪問, 同行): recorded, listed,
 * corrected and deleted (soft: the row stays, the statistics drop it), each audited. Everyone
 * works in her/his own region; a counsellor changes her/his own entries, a supervisor or an
 * admin those of the region (all regions for all-region accounts).
 */
export function createEntryService(deps: { prisma: PrismaClient; preset: Preset }) {
  const { prisma, preset } = deps;
  const regionName = (id: string) => preset.regions.find((r) => r.id === id)?.name ?? id;

  function checkRegion(user: StatsUser, regionId: string): void {
    if (!preset.regions.some((r) => r.id === regionId)) {
      throw new AppError("INVALID_INPUT", `Unknown region ${regionId}`, 400);
    }
    if (user.regionId !== null && regionId !== user.regionId) {
      throw new AppError("FORBIDDEN", "Enter consultations of your own region", 403);
    }
  }

  /**
   * Her person by the pseudonym the counsellor gave. Only a person with a conversation in the
   * counsellor's scope is found: another region's answers exactly as a pseudonym of nobody.
   */
  async function findPerson(
    user: StatsUser,
    pseudonym: string | undefined,
  ): Promise<string | null> {
    if (pseudonym === undefined) return null;
    const person = await prisma.person.findFirst({
      where: {
        pseudonym,
        ...(regionsOf(user) === null ? {} : { conversations: { some: conversationScope(user) } }),
      },
      select: { id: true },
    });
    if (!person) throw new AppError("UNKNOWN_PERSON", `No LINE person ${pseudonym}`, 400);
    return person.id;
  }

  /** What the form says, as the row's columns. */
  async function columnsOf(user: StatsUser, input: EntryInput) {
    checkRegion(user, input.regionId);
    const known = Boolean(input.personPseudonym ?? input.caseRef);
    return {
      channel: input.channel,
      regionId: input.regionId,
      personId: await findPerson(user, input.personPseudonym),
      caseRef: input.caseRef ?? null,
      // With a reference her history decides new or returning; the answer would be ignored.
      firstContact: known ? null : (input.firstContact ?? null),
      startedAt: new Date(input.startedAt),
      durationMinutes: input.durationMinutes ?? null,
      topics: input.topics,
      ageBand: input.ageBand ?? null,
      referrals: input.referrals,
      followUps: input.followUps,
      riskLevel: input.riskLevel,
    };
  }

  const mayChange = (user: StatsUser, row: { counsellorId: string }) =>
    user.role !== "counsellor" || row.counsellorId === user.id;

  /** The display names of the entries' authors. */
  async function authorsOf(rows: { counsellorId: string }[]): Promise<Map<string, string>> {
    const ids = [...new Set(rows.map((r) => r.counsellorId))];
    const authors = await prisma.counsellor.findMany({
      where: { id: { in: ids } },
      select: { id: true, displayName: true },
    });
    return new Map(authors.map((a) => [a.id, a.displayName]));
  }

  function view(user: StatsUser, row: EntryRow, authors: Map<string, string>): EntryView {
    return {
      id: row.id,
      channel: row.channel,
      channelLabel: CHANNEL_LABELS[row.channel as Channel] ?? row.channel,
      regionId: row.regionId,
      region: regionName(row.regionId),
      startedAt: row.startedAt.toISOString(),
      durationMinutes: row.durationMinutes,
      topics: row.topics,
      ageBand: row.ageBand,
      referrals: row.referrals,
      followUps: row.followUps,
      riskLevel: row.riskLevel,
      personPseudonym: row.person?.pseudonym ?? null,
      caseRef: row.caseRef,
      firstContact: row.firstContact,
      counsellor: authors.get(row.counsellorId) ?? "",
      createdAt: row.createdAt.toISOString(),
      correctedAt: row.correctedAt?.toISOString() ?? null,
      editable: mayChange(user, row),
    };
  }

  const include = { person: { select: { pseudonym: true } } } as const;

  /** An entry the user may change: another region's or a deleted one is not found. */
  async function changeable(user: StatsUser, id: string) {
    const row = await prisma.consultationEntry.findFirst({
      where: {
        id,
        deletedAt: null,
        ...(user.regionId === null ? {} : { regionId: user.regionId }),
      },
    });
    if (!row) throw new AppError("NOT_FOUND", "No such entry", 404);
    if (!mayChange(user, row)) {
      throw new AppError("FORBIDDEN", "Only its author or a supervisor changes an entry", 403);
    }
    return row;
  }

  return {
    /** A consultation by phone, e-mail, visit, outreach or accompaniment, coded like LINE's. */
    async create(user: StatsUser, input: EntryInput) {
      const data = await columnsOf(user, input);
      return prisma.$transaction(async (tx) => {
        const entry = await tx.consultationEntry.create({
          data: { ...data, counsellorId: user.id },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "record-entry",
          detail: { entryId: entry.id, channel: entry.channel, regionId: entry.regionId },
        });
        return {
          id: entry.id,
          channel: entry.channel,
          regionId: entry.regionId,
          startedAt: entry.startedAt.toISOString(),
          personKnown: entry.personId !== null || entry.caseRef !== null,
        };
      });
    },

    /** The entries of a period in the user's scope, newest first. */
    async list(user: StatsUser, q: EntriesQuery) {
      if (user.regionId !== null && q.region !== undefined && q.region !== user.regionId) {
        throw new AppError("FORBIDDEN", "Entries of another region are not yours to see", 403);
      }
      const period = periodOf(
        q.fiscalYear !== undefined
          ? { fiscalYear: q.fiscalYear }
          : q.month !== undefined
            ? { month: q.month }
            : { from: q.from ?? "", to: q.to ?? "" },
      );
      const region = user.regionId ?? q.region;
      const rows = await prisma.consultationEntry.findMany({
        where: {
          deletedAt: null,
          startedAt: { gte: period.from, lt: period.to },
          ...(region === undefined ? {} : { regionId: region }),
          ...(q.channel === undefined ? {} : { channel: q.channel }),
        },
        include,
        orderBy: [{ startedAt: "desc" }, { id: "asc" }],
        take: LIST_LIMIT + 1,
      });
      const listed = rows.slice(0, LIST_LIMIT);
      const authors = await authorsOf(listed);
      return {
        entries: listed.map((r) => view(user, r, authors)),
        truncated: rows.length > LIST_LIMIT,
      };
    },

    /** Corrects an entry: every field from the form again; the audit names what changed. */
    async correct(user: StatsUser, id: string, input: EntryInput): Promise<EntryView> {
      const before = await changeable(user, id);
      const data = await columnsOf(user, input);
      const changed = FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(data[f]));
      const row = await prisma.$transaction(async (tx) => {
        const updated = await tx.consultationEntry.update({
          where: { id },
          data: { ...data, correctedAt: new Date() },
          include,
        });
        await recordAudit(tx, {
          by: user.id,
          action: "correct-entry",
          detail: { entryId: id, channel: updated.channel, regionId: updated.regionId, changed },
        });
        return updated;
      });
      return view(user, row, await authorsOf([row]));
    },

    /**
     * Links an entry without reference to a woman's file: her LINE person (a person the user
     * may see) or a case number that an entry of its region already has. From then on it counts
     * as her person (COUNTING.md). Same rights as a correction; audited with the reason's code.
     * 409 ENTRY_LINKED when it already names someone (unlink first).
     */
    async link(user: StatsUser, id: string, input: EntryLink): Promise<EntryView> {
      const before = await changeable(user, id);
      const personId = await findPerson(user, input.personPseudonym);
      const caseRef = input.caseRef ?? null;
      if (caseRef !== null) {
        const known = await prisma.consultationEntry.findFirst({
          where: { regionId: before.regionId, caseRef, deletedAt: null, id: { not: id } },
          select: { id: true },
        });
        if (!known) throw new AppError("UNKNOWN_CASE", "No entry has that case number", 400);
      }
      const row = await prisma.$transaction(async (tx) => {
        // Under the row's lock: two counsellors linking at once do not both succeed.
        await tx.$executeRaw`SELECT 1 FROM consultation_entry WHERE id = ${id}::uuid FOR UPDATE`;
        const now = await tx.consultationEntry.findUniqueOrThrow({ where: { id } });
        if (now.personId !== null || now.caseRef !== null || now.deletedAt !== null) {
          throw new AppError(
            "ENTRY_LINKED",
            "The entry names someone already: unlink it first",
            409,
          );
        }
        const updated = await tx.consultationEntry.update({
          where: { id },
          data: { personId, caseRef },
          include,
        });
        await recordAudit(tx, {
          by: user.id,
          action: "link-entry",
          detail: {
            entryId: id,
            regionId: updated.regionId,
            reason: input.reason,
            via: personId ? "pseudonym" : "case-number",
            personId,
          },
        });
        return updated;
      });
      return view(user, row, await authorsOf([row]));
    },

    /** Undoes a link: the entry is again a person of its own (COUNTING.md); audited. */
    async unlink(user: StatsUser, id: string, reason: UnlinkReason): Promise<EntryView> {
      await changeable(user, id);
      const row = await prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM consultation_entry WHERE id = ${id}::uuid FOR UPDATE`;
        const now = await tx.consultationEntry.findUniqueOrThrow({ where: { id } });
        if ((now.personId === null && now.caseRef === null) || now.deletedAt !== null) {
          throw new AppError("ENTRY_NOT_LINKED", "The entry names nobody", 409);
        }
        const updated = await tx.consultationEntry.update({
          where: { id },
          data: { personId: null, caseRef: null },
          include,
        });
        await recordAudit(tx, {
          by: user.id,
          action: "unlink-entry",
          detail: {
            entryId: id,
            regionId: updated.regionId,
            reason,
            via: now.personId ? "pseudonym" : "case-number",
            personId: now.personId,
          },
        });
        return updated;
      });
      return view(user, row, await authorsOf([row]));
    },

    /** Deletes an entry (soft): it stops counting at once; the row stays for the audit. */
    async remove(user: StatsUser, id: string): Promise<void> {
      const row = await changeable(user, id);
      await prisma.$transaction(async (tx) => {
        await tx.consultationEntry.update({
          where: { id },
          data: { deletedAt: new Date(), deletedById: user.id },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "delete-entry",
          detail: { entryId: id, channel: row.channel, regionId: row.regionId },
        });
      });
    },
  };
}
