import type { CounsellorRole, Prisma, PrismaClient } from "../db/prisma-client";
import { conversationScope, regionsOf } from "../conversations/conversation-scope";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { listPartners } from "../partners/partner-directory";
import { listReferralsOf } from "../partners/referral-service";
import {
  CHANNEL_LABELS,
  LINK_REASON_LABELS,
  UNLINK_REASON_LABELS,
  type Channel,
} from "../stats/stats-types";
import type { TaskPresenter } from "../tasks/task-presenter";
import { tokyoMoment } from "../tasks/task-types";
import type { CaseFile, CaseItem } from "./casefile-schemas";

export interface CaseFileViewer {
  id: string;
  role: CounsellorRole;
  /** null: every region (supervisors and admins only). */
  regionId: string | null;
}

/** Whose file: her LINE person, a case number of a region, or one entry without reference. */
type FileKey =
  | { kind: "person"; personId: string; pseudonym: string }
  | { kind: "case"; regionId: string; caseRef: string }
  | { kind: "entry"; entryId: string };

const labelled = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));

/**
 * A woman's case file: her LINE conversations, her manual entries (phone, e-mail, visit, 訪問,
 * 同行), her tasks and the referrals made from those consultations, newest first, each shown only when the user's region reaches it (as
 * conversations, entries and tasks are everywhere else). A woman who moved shows, in each
 * region, the part of her file that region holds, and how many consultations she has elsewhere
 * (their number only, as the conversation view's earlier consultations do); an all-region
 * supervisor or admin sees all of it.
 */
export function createCaseFilePresenter(deps: {
  prisma: PrismaClient;
  preset: Preset;
  tasks: TaskPresenter;
}) {
  const { prisma, preset, tasks } = deps;
  const regionName = (id: string | null) =>
    id === null ? "未設定" : (preset.regions.find((r) => r.id === id)?.name ?? id);
  const notFound = () => new AppError("NOT_FOUND", "No such case file", 404);

  /** The manual entries' filter of the user's region. */
  const entryScope = (user: CaseFileViewer): Prisma.ConsultationEntryWhereInput => {
    const region = regionsOf(user);
    return region === null ? { deletedAt: null } : { deletedAt: null, regionId: region };
  };

  async function fileOf(user: CaseFileViewer, key: FileKey): Promise<CaseFile> {
    const entryWhere: Prisma.ConsultationEntryWhereInput =
      key.kind === "person"
        ? { personId: key.personId }
        : key.kind === "case"
          ? { regionId: key.regionId, caseRef: key.caseRef, personId: null }
          : { id: key.entryId };
    const [conversations, entries] = await Promise.all([
      key.kind === "person"
        ? prisma.conversation.findMany({
            where: { AND: [{ personId: key.personId }, conversationScope(user)] },
            select: {
              id: true,
              startedAt: true,
              regionId: true,
              status: true,
              firstResponseAt: true,
              topics: true,
            },
            orderBy: { startedAt: "desc" },
            take: 500,
          })
        : Promise.resolve([]),
      prisma.consultationEntry.findMany({
        where: { AND: [entryWhere, entryScope(user)] },
        include: { doneTask: { select: { id: true } } },
        orderBy: { startedAt: "desc" },
        take: 500,
      }),
    ]);
    const taskWhere: Prisma.FollowUpTaskWhereInput =
      key.kind === "person"
        ? {
            OR: [
              { personId: key.personId },
              { conversation: { personId: key.personId } },
              { entry: { personId: key.personId, deletedAt: null } },
            ],
          }
        : key.kind === "case"
          ? {
              OR: [
                { regionId: key.regionId, caseRef: key.caseRef },
                {
                  entry: {
                    regionId: key.regionId,
                    caseRef: key.caseRef,
                    personId: null,
                    deletedAt: null,
                  },
                },
              ],
            }
          : { entryId: key.entryId };
    const [taskList, referrals] = await Promise.all([
      tasks.matching(user, taskWhere),
      // Referrals made from the consultations shown (so of her file, in the user's reach).
      listReferralsOf(prisma, {
        conversationIds: conversations.map((c) => c.id),
        entryIds: entries.map((e) => e.id),
      }),
    ]);
    const items: CaseItem[] = [
      ...conversations.map((c): CaseItem => ({
        type: "conversation",
        id: c.id,
        at: c.startedAt.toISOString(),
        regionId: c.regionId,
        regionName: regionName(c.regionId),
        status: c.status,
        answered: c.firstResponseAt !== null,
        topics: c.topics,
      })),
      ...entries.map((e): CaseItem => ({
        type: "entry",
        id: e.id,
        at: e.startedAt.toISOString(),
        regionId: e.regionId,
        regionName: regionName(e.regionId),
        channel: e.channel,
        channelLabel: CHANNEL_LABELS[e.channel as Channel] ?? e.channel,
        topics: e.topics,
        linkedBy: e.personId ? "pseudonym" : e.caseRef ? "case-number" : null,
        editable: user.role !== "counsellor" || e.counsellorId === user.id,
        fromTaskId: e.doneTask?.id ?? null,
      })),
      ...taskList.map((t): CaseItem => ({
        type: "task",
        id: t.id,
        at: tokyoMoment(t.dueOn, t.appointment?.time ?? "00:00").toISOString(),
        regionId: t.regionId,
        regionName: t.regionName,
        task: t,
      })),
      ...referrals.map((r): CaseItem => ({
        type: "referral",
        id: r.id,
        at: r.createdAt,
        regionId: r.regionId,
        regionName: regionName(r.regionId),
        referral: r,
      })),
    ];
    // Newest first; at the same moment, a consultation before what follows from it.
    const order = { task: 0, referral: 1, entry: 2, conversation: 3 } as const;
    items.sort((a, b) => b.at.localeCompare(a.at) || order[a.type] - order[b.type]);
    const partners = await listPartners(prisma);
    const region = regionsOf(user);
    const elsewhere =
      key.kind === "person" && region !== null
        ? (await prisma.conversation.count({
            where: { AND: [{ personId: key.personId }, { NOT: conversationScope(user) }] },
          })) +
          (await prisma.consultationEntry.count({
            where: { personId: key.personId, deletedAt: null, regionId: { not: region } },
          }))
        : 0;
    return {
      file: {
        kind: key.kind,
        pseudonym: key.kind === "person" ? key.pseudonym : null,
        regionId: key.kind === "case" ? key.regionId : null,
        caseRef: key.kind === "case" ? key.caseRef : null,
        entryId: key.kind === "entry" ? key.entryId : null,
      },
      items,
      elsewhere,
      scopeRegion: region,
      linkReasons: labelled(LINK_REASON_LABELS),
      unlinkReasons: labelled(UNLINK_REASON_LABELS),
      partners: partners.map((p) => ({ id: p.id, name: p.name })),
    };
  }

  /** A file the user reaches nothing of does not exist for her or him (404). */
  async function shown(user: CaseFileViewer, key: FileKey): Promise<CaseFile> {
    const file = await fileOf(user, key);
    if (file.items.length === 0) throw notFound();
    return file;
  }

  return {
    /** The file of the woman of a conversation the user may see. */
    async ofConversation(user: CaseFileViewer, conversationId: string): Promise<CaseFile> {
      const c = await prisma.conversation.findFirst({
        where: { AND: [{ id: conversationId }, conversationScope(user)] },
        select: { person: { select: { id: true, pseudonym: true } } },
      });
      if (!c) throw notFound();
      return fileOf(user, { kind: "person", personId: c.person.id, pseudonym: c.person.pseudonym });
    },

    /** The file an entry belongs to: her LINE person's, her case number's, or its own. */
    async ofEntry(user: CaseFileViewer, entryId: string): Promise<CaseFile> {
      const e = await prisma.consultationEntry.findFirst({
        where: { AND: [{ id: entryId }, entryScope(user)] },
        select: {
          regionId: true,
          caseRef: true,
          person: { select: { id: true, pseudonym: true } },
        },
      });
      if (!e) throw notFound();
      if (e.person) {
        return shown(user, {
          kind: "person",
          personId: e.person.id,
          pseudonym: e.person.pseudonym,
        });
      }
      if (e.caseRef !== null) {
        return shown(user, { kind: "case", regionId: e.regionId, caseRef: e.caseRef });
      }
      return shown(user, { kind: "entry", entryId });
    },

    /** Her file by her LINE pseudonym. */
    async ofPseudonym(user: CaseFileViewer, pseudonym: string): Promise<CaseFile> {
      const person = await prisma.person.findUnique({
        where: { pseudonym },
        select: { id: true, pseudonym: true },
      });
      if (!person) throw notFound();
      return shown(user, { kind: "person", personId: person.id, pseudonym: person.pseudonym });
    },

    /** The file of a woman known by a case number of a region (by phone, say). */
    async ofCase(user: CaseFileViewer, regionId: string, caseRef: string): Promise<CaseFile> {
      if (!preset.regions.some((r) => r.id === regionId)) throw notFound();
      const region = regionsOf(user);
      if (region !== null && region !== regionId) {
        throw new AppError("FORBIDDEN", "Case files of another region are not yours to see", 403);
      }
      return shown(user, { kind: "case", regionId, caseRef });
    },
  };
}

export type CaseFilePresenter = ReturnType<typeof createCaseFilePresenter>;
