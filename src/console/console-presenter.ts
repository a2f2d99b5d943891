import type { Preset } from "../flows/flow-types";
import { FOLLOW_UP_LABELS, RISK_LABELS, TOPIC_LABELS } from "../conversations/coding";
import type { Prisma, PrismaClient } from "../db/prisma-client";
import { recordAudit } from "../audit/audit-log";
import { AppError } from "../errors";
import type { ConsoleUser } from "../http/auth-middleware";
import { conversationScope, regionsOf } from "../conversations/conversation-scope";
import { formatOpening, isOpen, nextOpening } from "../flows/opening-hours";
import { RISK_IN_CHAT } from "../conversations/chat-safety";
import { contactBand } from "../flows/contact-times";
import { mediaChunks } from "../media/media-store";
import type { Sealer } from "../privacy/sealer";
import { tapLabel } from "../flows/tap-label";
import type { Flow } from "../flows/flow-types";
import {
  chatMinutes,
  CLOSE_REASON_LABELS,
  lastMessageUnanswered,
  type CloseReason,
} from "../conversations/closing";
import { TASK_KIND_LABELS, TASK_OUTCOME_LABELS } from "../tasks/task-types";
import type { TaskPresenter } from "../tasks/task-presenter";
import { readHerLine, readQueueRows, type HerLine, type QueueRow } from "./queue-query";
import { readTranscript, type TranscriptRow } from "./transcript-query";
import { givenReferrals, partnerContactText } from "../flows/referrals";
import { listPartners } from "../partners/partner-directory";
import { listReferralsOf } from "../partners/referral-service";
import {
  CONSENT_LABELS,
  PARTNER_KIND_LABELS,
  REFERRAL_OUTCOME_LABELS,
} from "../partners/partner-types";

const PREVIEW_CHARS = 60;

/**
 * `transcriptErased`: the conversation's transcript was erased (its texts are null). `flow`: the
 * flow version the conversation runs, whose buttons she tapped.
 */
const messageItem = (
  sealer: Sealer,
  m: TranscriptRow,
  transcriptErased = false,
  flow: Flow | undefined = undefined,
) => {
  const text = m.textEnc ? sealer.open(m.textEnc) : null;
  return {
    id: m.id,
    direction: m.direction,
    author: m.author,
    authorName: m.authorName,
    kind: m.kind,
    text,
    label: m.kind === "postback" && text !== null ? tapLabel(flow, text) : null,
    seq: m.seq,
    sentAt: m.sentAt.toISOString(),
    unsent: m.unsentAt !== null,
    read: m.readAt !== null,
    hasContent: m.mediaStatus === "stored",
    contentInline: m.mediaStatus === "stored" && m.mediaImageType !== null,
    contentTooLarge: m.mediaStatus === "too_large",
    contentUnavailable: m.mediaStatus === "unavailable",
    erased: m.mediaStatus === "erased" || (transcriptErased && m.textEnc === null && !m.unsentAt),
    delivery: m.deliveryStatus,
    deliverAt: m.deliveryStatus === "pending" ? (m.deliveryNotBefore?.toISOString() ?? null) : null,
  };
};

/** Why a conversation's transcript is gone, if it is (src/privacy/her-content.ts). */
function contentErasedOf(c: {
  contentErasedAt: Date | null;
  person: { erasedAt: Date | null };
}): "retention" | "request" | null {
  if (c.contentErasedAt === null) return null;
  return c.person.erasedAt !== null ? "request" : "retention";
}

/** Reads for the console pages: the queue and one conversation, shaped as API.md says. */
export function createConsolePresenter(deps: {
  prisma: PrismaClient;
  preset: Preset;
  /** Opens her words and counsellors' notes, each once, as they are shown. */
  sealer: Sealer;
  /** The service's clock: which regions are open now. */
  now?: () => Date;
  /** The task list, for a consultation's follow-up tasks. */
  tasks: TaskPresenter;
}) {
  const { prisma, preset, sealer } = deps;
  const opened = (sealed: Uint8Array | null) => (sealed ? sealer.open(sealed) : null);
  /** The referrals as the counsellor gave them: the coding, with the agencies she typed. */
  const referralsOf = (c: { referrals: string[]; referralsOtherEnc: Uint8Array | null }) =>
    givenReferrals(
      c.referrals,
      c.referralsOtherEnc ? (JSON.parse(sealer.open(c.referralsOtherEnc)) as string[]) : [],
    );
  const now = deps.now ?? (() => new Date());
  const regionName = (id: string | null) => preset.regions.find((r) => r.id === id)?.name ?? null;

  /**
   * Why she is in another region's queue than her own: her region was closed when she came.
   * A queue a counsellor chose (a transfer) needs no reason: the transfer note says it.
   */
  const servedBecause = (c: { regionId: string | null; servingRegionId: string | null }) =>
    c.servingRegionId && c.servingRegionId !== c.regionId
      ? `${regionName(c.regionId) ?? "相談者の地域"}が受付時間外のため`
      : null;
  const serving = (c: { regionId: string | null; servingRegionId: string | null }) => ({
    servingRegionId: c.servingRegionId,
    servingRegionName: regionName(c.servingRegionId),
    servedBecause: servedBecause(c),
  });

  /** Her last message has no answer yet (closing.ts), from the transcript as read. */
  const unanswered = (messages: TranscriptRow[], waitingSince: Date | null) =>
    lastMessageUnanswered(
      messages.map((m) => ({ ...m, unsent: m.unsentAt !== null })),
      waitingSince,
    );

  const herLine = (line: HerLine) => ({
    preview: [...(opened(line.previewEnc) ?? "")].slice(0, PREVIEW_CHARS).join(""),
    unread: line.unread,
  });

  const queueItem = (row: QueueRow) => ({
    id: row.id,
    pseudonym: row.pseudonym,
    status: row.status,
    riskLevel: row.riskLevel,
    riskCategories: row.riskCategories,
    topics: row.topics,
    regionId: row.regionId,
    regionName: regionName(row.regionId),
    waitingSince: row.waitingSince?.toISOString() ?? null,
    outOfHours: row.outOfHours,
    overflow: row.overflowRegions.length > 0,
    ...serving(row),
    assignedTo:
      row.assignedToId && row.assignedToName !== null
        ? { id: row.assignedToId, displayName: row.assignedToName }
        : null,
    // Preview and unread count: as a live notice of her words carries them (queueLine).
    ...herLine(row),
  });

  /** Her line in the queue as her newest words left it (a live notice carries it). */
  async function queueLine(conversationId: string) {
    const line = await readHerLine(prisma, conversationId);
    return line ? herLine(line) : undefined;
  }

  async function queue(user: ConsoleUser) {
    const rows = await readQueueRows(prisma, user);
    const waiting = rows.filter((r) => r.status === "waiting");
    const active = rows.filter((r) => r.status === "active").sort(byAssignedAt);
    const seesOthers = user.role !== "counsellor";
    return {
      waiting: waiting.sort(byUrgency).map(queueItem),
      mine: active.filter((c) => c.assignedToId === user.id).map(queueItem),
      others: seesOthers ? active.filter((c) => c.assignedToId !== user.id).map(queueItem) : [],
      chatLimit: preset.maxActiveChats,
    };
  }

  async function view(user: ConsoleUser, id: string) {
    const conversation = await prisma.conversation.findFirst({
      where: { AND: [conversationScope(user), { id }] },
      include: {
        person: { select: { id: true, pseudonym: true, contactTimes: true, erasedAt: true } },
        assignedTo: { select: { id: true, displayName: true } },
        alerts: {
          where: { kind: RISK_IN_CHAT },
          orderBy: { createdAt: "desc" },
          take: 1,
          select: { riskCategories: true, createdAt: true },
        },
        notes: {
          // A whisper is for the counsellor it was written to, and for supervisors.
          where:
            user.role === "counsellor"
              ? { OR: [{ kind: { not: "whisper" } }, { toCounsellorId: user.id }] }
              : {},
          orderBy: { createdAt: "asc" },
          include: {
            counsellor: { select: { displayName: true } },
            toCounsellor: { select: { displayName: true } },
          },
        },
        emergencies: {
          orderBy: { createdAt: "asc" },
          include: { counsellor: { select: { displayName: true } } },
        },
      },
    });
    if (!conversation) throw new AppError("NOT_FOUND", "No such conversation", 404);
    const messages = await readTranscript(prisma, id);
    // Her other consultations in the caller's scope; of those elsewhere only how many there are
    // (another region's counsellors wrote them for their own eyes).
    const hers: Prisma.ConversationWhereInput = {
      personId: conversation.personId,
      id: { not: id },
    };
    const scope = conversationScope(user);
    const everywhere = Object.keys(scope).length === 0;
    const elsewhere = everywhere
      ? Promise.resolve(0)
      : prisma.conversation.count({ where: { AND: [hers, { NOT: scope }] } });
    const earlier = await prisma.conversation.findMany({
      where: { AND: [scope, hers] },
      orderBy: { startedAt: "desc" },
      take: 20,
      select: {
        id: true,
        startedAt: true,
        closedAt: true,
        status: true,
        topics: true,
        referrals: true,
        referralsOtherEnc: true,
        followUps: true,
      },
    });
    const c = conversation;
    return {
      conversation: {
        id: c.id,
        pseudonym: c.person.pseudonym,
        status: c.status,
        regionId: c.regionId,
        regionName: regionName(c.regionId),
        municipality: c.municipality,
        topics: c.topics,
        ageBand: c.ageBand,
        supportWish: c.supportWish,
        triageAnswers: (c.triageAnswers ?? {}) as Record<string, string>,
        riskLevel: c.riskLevel,
        riskCategories: c.riskCategories,
        handoffReason: c.handoffReason,
        startedAt: c.startedAt.toISOString(),
        waitingSince: c.waitingSince?.toISOString() ?? null,
        assignedTo: c.assignedTo,
        outOfHours: c.outOfHours,
        ...serving(c),
        referrals: referralsOf(c),
        followUps: c.followUps,
        closedAt: c.closedAt?.toISOString() ?? null,
        pushesHeldSince: c.pushesHeldSince?.toISOString() ?? null,
        contactTimes: contactTimesOf(c.person.contactTimes),
        riskInChat: c.alerts[0]
          ? { categories: c.alerts[0].riskCategories, at: c.alerts[0].createdAt.toISOString() }
          : null,
        contentErased: contentErasedOf(c),
        closeReason: c.closeReason as CloseReason | null,
        summary: opened(c.summaryEnc),
        durationMinutes: c.durationMinutes ?? chatMinutes(c.firstResponseAt, now()),
        lastMessageUnanswered: unanswered(messages, c.waitingSince),
      },
      tasks: await deps.tasks.ofConversation(user, c.id),
      messages: messages.map((m) =>
        messageItem(
          sealer,
          m,
          c.contentErasedAt !== null,
          c.flowVersion ? preset.flowVersions[c.flowVersion] : undefined,
        ),
      ),
      notes: c.notes.map((n) => ({
        id: n.id,
        kind: n.kind,
        text: n.textEnc ? sealer.open(n.textEnc) : null,
        createdAt: n.createdAt.toISOString(),
        counsellorName: n.counsellor.displayName,
        toCounsellorName: n.toCounsellor?.displayName ?? null,
      })),
      emergencies: c.emergencies.map((e) => ({
        id: e.id,
        desire: e.desire,
        plan: e.plan,
        means: e.means,
        timeframe: e.timeframe,
        decision: e.decision,
        calledBy: e.calledBy,
        calledAt: e.calledAt?.toISOString() ?? null,
        note: opened(e.noteEnc),
        createdAt: e.createdAt.toISOString(),
        counsellorName: e.counsellor.displayName,
      })),
      earlierElsewhere: await elsewhere,
      earlier: earlier.map(({ referralsOtherEnc, ...e }) => ({
        ...e,
        referrals: referralsOf({ referrals: e.referrals, referralsOtherEnc }),
        startedAt: e.startedAt.toISOString(),
        closedAt: e.closedAt?.toISOString() ?? null,
      })),
      // The directory's partners serving her region (archived ones are no longer offered),
      // those of her topics when she named any.
      referralCards: (await listPartners(prisma, { region: c.regionId ?? "" }))
        .filter((p) => c.topics.length === 0 || p.topics.some((t) => c.topics.includes(t)))
        .map((p) => ({
          id: p.id,
          name: p.name,
          kind: p.kind,
          topics: p.topics,
          regions: p.regions,
          phone: p.phone ?? null,
          hours: p.hours ?? null,
          address: p.address ?? null,
          howToRefer: p.howToRefer ?? null,
          toConfirm: p.toConfirm,
          contactText: partnerContactText(p),
        })),
      // The referral records of this consultation (her consent, the outcome).
      referralRecords: await listReferralsOf(prisma, { conversationIds: [c.id] }),
    };
  }

  /**
   * Her conversation's messages after place `after`, the ones the page does not show yet, with
   * what of the conversation a message can change: the page reads this on a message's live event
   * and after a send, two statements instead of the whole view's nine.
   */
  async function newMessages(user: ConsoleUser, id: string, after: number) {
    const c = await prisma.conversation.findFirst({
      where: { AND: [conversationScope(user), { id }] },
      select: {
        status: true,
        riskLevel: true,
        riskCategories: true,
        pushesHeldSince: true,
        waitingSince: true,
        contentErasedAt: true,
        flowVersion: true,
      },
    });
    if (!c) throw new AppError("NOT_FOUND", "No such conversation", 404);
    // The whole transcript: whether the last message is unanswered may lie before `after`.
    const messages = await readTranscript(prisma, id);
    const flow = c.flowVersion ? preset.flowVersions[c.flowVersion] : undefined;
    return {
      conversation: {
        status: c.status,
        riskLevel: c.riskLevel,
        riskCategories: c.riskCategories,
        pushesHeldSince: c.pushesHeldSince?.toISOString() ?? null,
        lastMessageUnanswered: unanswered(messages, c.waitingSince),
      },
      messages: messages
        .filter((m) => m.seq > after)
        .map((m) => messageItem(sealer, m, c.contentErasedAt !== null, flow)),
    };
  }

  /** The message a counsellor's send recorded (found by its delivery), within her scope. */
  async function sentMessage(user: ConsoleUser, conversationId: string, deliveryId: string) {
    // A long answer is split into several messages: the last one stands for the send.
    const m = (await readTranscript(prisma, conversationId, { deliveryId, viewer: user })).at(-1);
    if (!m) throw new AppError("INTERNAL", "The message was not recorded", 500);
    return messageItem(sealer, m);
  }

  /**
   * The choices of the console's forms, and the labels of what the preset records: risk
   * categories from the lexicon, and each triage answer's label from the flow that asked it
   * (older flow versions first, so the current wording wins).
   */
  function reference() {
    const entries = (labels: Record<string, string>) =>
      Object.entries(labels).map(([value, label]) => ({ value, label }));
    const answers: Record<string, Record<string, string>> = {};
    const flows = [
      ...Object.values(preset.flowVersions).filter((f) => f !== preset.flow),
      preset.flow,
    ];
    for (const node of flows.flatMap((f) => Object.values(f.nodes))) {
      if (node.type !== "choice") continue;
      const field = node.field.replace(/^answers\./, "");
      for (const choice of node.choices) {
        if (choice.value !== undefined) (answers[field] ??= {})[choice.value] = choice.label;
      }
    }
    return {
      regions: preset.regions.map((r) => ({ id: r.id, name: r.name })),
      topics: entries(TOPIC_LABELS),
      followUps: entries(FOLLOW_UP_LABELS),
      riskLevels: entries(RISK_LABELS),
      riskCategories: preset.lexicon.categories.map((c) => ({ value: c.id, label: c.label })),
      answers: Object.fromEntries(Object.entries(answers).map(([f, l]) => [f, entries(l)])),
      cannedReplies: preset.cannedReplies,
      closeReasons: entries(CLOSE_REASON_LABELS),
      closingTemplates: preset.closingTemplates,
      taskKinds: entries(TASK_KIND_LABELS),
      taskOutcomes: entries(TASK_OUTCOME_LABELS),
      partnerKinds: entries(PARTNER_KIND_LABELS),
      referralConsents: entries(CONSENT_LABELS),
      referralOutcomes: entries(REFERRAL_OUTCOME_LABELS),
    };
  }

  function me(c: {
    id: string;
    loginName: string;
    displayName: string;
    role: ConsoleUser["role"];
    regionId: string | null;
    mustChangePassword: boolean;
  }) {
    const { id, loginName, displayName, role, regionId, mustChangePassword } = c;
    const region = regionName(regionId);
    return { id, loginName, displayName, role, regionId, regionName: region, mustChangePassword };
  }

  /** Colleagues a conversation of my scope may be handed to. */
  async function colleagues(user: ConsoleUser) {
    const region = user.role === "counsellor" ? user.regionId : user.regionId;
    const rows = await prisma.counsellor.findMany({
      where: {
        active: true,
        ...(region ? { OR: [{ regionId: region }, { regionId: null }] } : {}),
      },
      orderBy: [{ regionId: "asc" }, { displayName: "asc" }],
      select: { id: true, displayName: true, role: true, regionId: true },
    });
    return rows;
  }

  /**
   * Unacknowledged alerts, each naming her pseudonym, the counsellor (who recorded an emergency,
   * else who has her now) and an emergency's decision, so a supervisor knows what to do from
   * the list.
   */
  async function alerts(user: ConsoleUser) {
    const rows = await prisma.supervisorAlert.findMany({
      where: { acknowledgedAt: null, ...(user.regionId ? { regionId: user.regionId } : {}) },
      orderBy: { createdAt: "desc" },
      take: 200,
      include: {
        conversation: {
          select: {
            person: { select: { pseudonym: true } },
            assignedTo: { select: { displayName: true } },
          },
        },
      },
    });
    const emergencyIds = rows.flatMap((a) => (a.emergencyId ? [a.emergencyId] : []));
    const emergencies = new Map(
      (
        await prisma.emergencyRecord.findMany({
          where: { id: { in: emergencyIds } },
          select: { id: true, decision: true, counsellor: { select: { displayName: true } } },
        })
      ).map((e) => [e.id, e]),
    );
    return rows.map((a) => {
      const emergency = a.emergencyId ? emergencies.get(a.emergencyId) : undefined;
      return {
        id: a.id,
        kind: a.kind,
        conversationId: a.conversationId,
        regionId: a.regionId,
        riskCategories: a.riskCategories,
        createdAt: a.createdAt.toISOString(),
        pseudonym: a.conversation.person.pseudonym,
        counsellorName:
          emergency?.counsellor.displayName ?? a.conversation.assignedTo?.displayName ?? null,
        decision: emergency?.decision ?? null,
      };
    });
  }

  /**
   * The audit log. A region's admin sees what was done to conversations of her or his scope, and
   * what people of that region did otherwise; another region's conversation is not found.
   */
  async function audit(
    user: ConsoleUser,
    query: { limit: number; conversationId?: string | undefined },
  ) {
    const region = regionsOf(user);
    if (query.conversationId && region !== null) {
      const visible = await prisma.conversation.count({
        where: { AND: [{ id: query.conversationId }, conversationScope(user)] },
      });
      if (visible === 0) throw new AppError("NOT_FOUND", "No such conversation", 404);
    }
    const ids =
      region === null
        ? undefined
        : (
            await prisma.$queryRaw<{ id: bigint }[]>`
              SELECT a.id FROM audit_entry a
              LEFT JOIN conversation c ON c.id = a.conversation_id
              LEFT JOIN counsellor p ON p.id = a.counsellor_id
              WHERE ((c.id IS NOT NULL
                      AND (c.region_id = ${region} OR ${region} = ANY(c.overflow_regions)))
                     OR (a.conversation_id IS NULL AND p.region_id = ${region}))
                AND (${query.conversationId ?? null}::uuid IS NULL
                     OR a.conversation_id = ${query.conversationId ?? null}::uuid)
              ORDER BY a.id DESC LIMIT ${query.limit}`
          ).map((r) => r.id);
    const rows = await prisma.auditEntry.findMany({
      where: {
        ...(query.conversationId ? { conversationId: query.conversationId } : {}),
        ...(ids ? { id: { in: ids } } : {}),
      },
      orderBy: { id: "desc" },
      take: query.limit,
      include: { counsellor: { select: { displayName: true } } },
    });
    // The account a row is about, by the id in its detail (the log keeps no names).
    const subjectOf = (detail: unknown): string | undefined => {
      const d = (detail ?? {}) as { accountId?: unknown; counsellorId?: unknown };
      const id = d.accountId ?? d.counsellorId;
      return typeof id === "string" ? id : undefined;
    };
    const subjectIds = [...new Set(rows.map((a) => subjectOf(a.detail)).filter((id) => id))];
    const subjects = new Map(
      (
        await prisma.counsellor.findMany({
          where: { id: { in: subjectIds as string[] } },
          select: { id: true, displayName: true, loginName: true },
        })
      ).map((c) => [c.id, `${c.displayName}（${c.loginName}）`]),
    );
    return rows.map((a) => ({
      id: String(a.id),
      at: a.at.toISOString(),
      counsellorName: a.counsellor?.displayName ?? null,
      action: a.action,
      conversationId: a.conversationId,
      detail: a.detail,
      subjectName: subjects.get(subjectOf(a.detail) ?? "") ?? null,
    }));
  }

  /**
   * Her file, for a user who may see her conversation: 404 out of scope or not stored, 410 once
   * she unsent the message (nothing of it is kept). Read back chunk by chunk.
   */
  async function messageContent(user: ConsoleUser, id: string) {
    const message = await prisma.message.findFirst({
      where: { id, conversation: { AND: [conversationScope(user)] } },
      select: {
        conversationId: true,
        unsentAt: true,
        media: { select: { status: true, imageType: true, size: true } },
      },
    });
    if (!message) throw new AppError("NOT_FOUND", "No such content", 404);
    if (message.unsentAt) throw new AppError("UNSENT", "She unsent this message", 410);
    if (message.media?.status !== "stored") throw new AppError("NOT_FOUND", "No such content", 404);
    // Who opened her file, and when: before a byte of it is sent.
    await recordAudit(prisma, {
      by: user.id,
      action: "media-view",
      conversationId: message.conversationId,
      detail: { messageId: id, download: message.media.imageType === null },
    });
    return {
      imageType: message.media.imageType,
      size: message.media.size,
      chunks: mediaChunks(prisma, sealer, id),
    };
  }

  /** Each region, open or closed now and when it next opens: the transfer dialog warns by it. */
  function regionStates() {
    const at = now();
    return preset.regions.map((r) => {
      const next = isOpen(r.hours, at) ? null : nextOpening(r.hours, at);
      return {
        id: r.id,
        name: r.name,
        open: next === null && isOpen(r.hours, at),
        nextOpening: next?.toISOString() ?? null,
        nextOpeningText: next ? formatOpening(next, at) : null,
      };
    });
  }

  return {
    queue,
    queueLine,
    view,
    newMessages,
    sentMessage,
    reference,
    regionName,
    regionStates,
    me,
    colleagues,
    alerts,
    audit,
    messageContent,
  };
}

export type ConsolePresenter = ReturnType<typeof createConsolePresenter>;

function contactTimesOf(bandId: string | null) {
  const band = contactBand(bandId);
  return band ? { bandId: band.id, label: band.label } : null;
}

/** Most urgent first: a high risk before any other, then the longest wait, then the risk level. */
function byUrgency(a: QueueRow, b: QueueRow): number {
  const risk = Number(b.riskLevel === "high") - Number(a.riskLevel === "high");
  if (risk !== 0) return risk;
  const wait = (a.waitingSince?.getTime() ?? 0) - (b.waitingSince?.getTime() ?? 0);
  return wait !== 0 ? wait : a.riskLevel.localeCompare(b.riskLevel);
}

/** Her chats in the order they were taken. */
function byAssignedAt(a: QueueRow, b: QueueRow): number {
  return (a.assignedAt?.getTime() ?? 0) - (b.assignedAt?.getTime() ?? 0);
}
