import { randomUUID } from "node:crypto";
import type { AuditDetail } from "../audit/audit-detail";
import { auditInsert, recordAudit } from "../audit/audit-log";
import { Prisma, type Conversation, type Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { lockScreenProblem } from "../flows/shared-phone";
import type { JobDispatcher } from "../jobs/job-dispatch";
import { REPLY_TOKEN_FRESH_MS } from "../line/delivery-service";
import { recordOutbound } from "../line/outbound-service";
import {
  assertCanMove,
  isUuid,
  lockConversation,
  lockInScope,
  moveConversation,
  updateConversation,
} from "./conversation-repository";
import { conversationScope, conversationScopeSql, type Viewer } from "./conversation-scope";
import { isOpen, nextOpening } from "../flows/opening-hours";
import { createWaitingService } from "./waiting-service";
import type { Sealer } from "../privacy/sealer";
import { codedReferrals } from "../flows/referrals";
import { partnerNames } from "../partners/partner-directory";
import type { JobIntents } from "../jobs/job-dispatch";
import type { JobRequest } from "../jobs/job-catalog";
import { outboxInsert } from "../jobs/job-outbox";
import { createTaskIn } from "../tasks/task-service";
import { FOLLOW_UP_OF_KIND, type TaskKind } from "../tasks/task-types";
import { chatMinutes, lastMessageUnanswered, type CloseReason } from "./closing";

/**
 * A counsellor's account is deactivated: every chat she or he had goes back to its queue, her
 * place kept, so no woman waits on someone who can no longer answer. In the caller's
 * transaction; `by` is the admin who deactivated (null: the command line).
 */
export async function returnChatsOf(tx: Tx, counsellorId: string, by: string | null) {
  const held = await tx.conversation.findMany({
    where: { assignedToId: counsellorId, status: "active" },
    select: { id: true },
  });
  for (const { id } of held) {
    const c = await lockConversation(tx, id);
    if (c?.status !== "active" || c.assignedToId !== counsellorId) continue;
    await moveConversation(tx, c, "return-to-queue", {
      by,
      reason: "counsellor-deactivated",
      data: { assignedToId: null, assignedAt: null },
    });
  }
  return held.length;
}

/** The counsellor (or supervisor, admin) acting, as the console's session knows her or him. */
export interface Counsellor extends Viewer {
  id: string;
  /** The name she sees as the sender of a counsellor's message. */
  displayName: string;
}

export interface CloseCoding {
  topics: string[];
  referrals: string[];
  followUps: string[];
  riskLevel: string;
  /** Why it ended (closing.ts). */
  endReason?: CloseReason | undefined;
  /** The counsellor's short summary: sealed, erased with the transcript. */
  summary?: string | undefined;
  /** Sent to her as the chat ends (a preset template, edited or not): a counsellor's reply. */
  closingMessage?: string | undefined;
  /** Her last message is unanswered: the counsellor was warned and closes all the same. */
  confirmUnanswered?: boolean | undefined;
  /** The closing message's first line names something sensitive: send as written. */
  confirmUnsafeFirstLine?: boolean | undefined;
  /** A follow-up with a date: a task in the task list (src/tasks/). */
  followUp?: { kind: TaskKind; dueOn: string; ownerId?: string | undefined } | undefined;
}

export interface EmergencyInput {
  desire: boolean;
  plan: boolean;
  means: boolean;
  timeframe: boolean;
  decision: "called-110" | "called-119" | "no-call";
  calledBy?: string | undefined;
  calledAt?: string | undefined;
  note?: string | undefined;
}

export type TransferTarget = {
  toCounsellorId?: string;
  toRegionId?: string;
  /** She goes to a region that is closed now: the counsellor was warned and confirmed. */
  confirmClosedRegion?: boolean | undefined;
};

/** What a counsellor confirmed, having been warned, to send a reply anyway. */
export interface SendConfirmations {
  /** She sent the exit word and has not written since: send all the same (audited). */
  overrideHold?: boolean | undefined;
  /** The first line, shown on her lock screen, names something sensitive: send as written. */
  unsafeFirstLine?: boolean | undefined;
}

/**
 * What counsellors do to a conversation. Each runs in one transaction with the conversation
 * row locked, checks the caller's scope (outside it: 404), moves it along the lifecycle table
 * where the action is a move, and writes the audit log.
 */
export function createCounsellorService(deps: {
  dispatcher: JobDispatcher;
  preset: Preset;
  /** Seals what counsellors write (replies, notes, emergency notes, typed referrals). */
  sealer: Sealer;
  now?: () => Date;
}) {
  const { dispatcher, preset, sealer } = deps;
  const now = deps.now ?? (() => new Date());
  const waiting = createWaitingService(preset, sealer);

  /**
   * A region's queue as a transfer's target. Closed now: refused unless the counsellor, warned,
   * confirmed (she would wait until it opens).
   */
  function targetRegion(target: TransferTarget, at: Date) {
    const region = preset.regions.find((r) => r.id === target.toRegionId);
    if (!region) throw new AppError("BAD_TARGET", "Name a colleague or a region", 400);
    if (!isOpen(region.hours, at) && !target.confirmClosedRegion) {
      const next = nextOpening(region.hours, at);
      throw new AppError(
        "REGION_CLOSED",
        `${region.id} is closed now${next ? ` until ${next.toISOString()}` : ""}; confirm to transfer anyway`,
        409,
      );
    }
    return region;
  }
  const inScope = (tx: Tx, user: Counsellor, id: string) =>
    lockInScope(tx, id, conversationScope(user));
  const audit = (tx: Tx, user: Counsellor, action: string, id: string, detail?: AuditDetail) =>
    recordAudit(tx, { by: user.id, action, conversationId: id, detail });

  /** May this user write to her now? Her counsellor, or a supervisor/admin in scope. */
  function assertCanAnswer(user: Counsellor, c: Conversation): void {
    if (c.status !== "active")
      throw new AppError("NOT_ACTIVE", "Take the conversation before answering", 409);
    if (c.assignedToId !== user.id && user.role === "counsellor") {
      throw new AppError("NOT_YOURS", "A colleague has this conversation", 403);
    }
  }

  /** The colleague named as a transfer's target, if she or he may take a chat of this region. */
  async function colleague(tx: Tx, id: string, c: Conversation) {
    const to = await tx.counsellor.findFirst({ where: { id, active: true } });
    if (!to || (to.regionId !== null && to.regionId !== c.regionId)) {
      throw new AppError(
        "BAD_TARGET",
        "That colleague cannot take a conversation of this region",
        400,
      );
    }
    return to;
  }

  /** Refuses a reply whose first line her lock screen would show sensitive, unless confirmed. */
  function assertSafeFirstLine(text: string, confirmed: boolean | undefined): string | undefined {
    const word = lockScreenProblem(text);
    if (word !== undefined && !confirmed) {
      throw new AppError(
        "UNSAFE_FIRST_LINE",
        "The first line shows on her lock screen and names something sensitive",
        422,
        [word],
      );
    }
    return word;
  }

  /**
   * Records a counsellor's message to her and its delivery (a free reply while her last reply
   * token is fresh, else a push) and the conversation's first answer; with `reply`, the audit
   * row of a reply (a closing message is the close's). Returns the deliveries.
   */
  async function recordReply(
    tx: Tx,
    jobs: JobIntents,
    user: Counsellor,
    c: Conversation,
    text: string,
    at: Date,
    reply?: { detail?: AuditDetail | undefined },
  ): Promise<string[]> {
    const id = c.id;
    // Her last message's reply token, if still fresh and unused: taken for this reply (a free
    // one), in the statement that reads it, so no other send can take it too.
    const [fresh] = await tx.$queryRaw<{ replyToken: string; sentAt: Date }[]>`
      UPDATE message m SET reply_token = NULL
        FROM (SELECT id, reply_token, sent_at FROM message
               WHERE conversation_id = ${id}::uuid AND direction = 'in'
                 AND reply_token IS NOT NULL
                 AND sent_at > ${new Date(at.getTime() - REPLY_TOKEN_FRESH_MS)}::timestamptz
               ORDER BY seq DESC LIMIT 1 FOR UPDATE) f
       WHERE m.id = f.id
      RETURNING f.reply_token AS "replyToken", f.sent_at AS "sentAt"`;
    const deliveryIds = await recordOutbound(tx, jobs, sealer, {
      personId: c.personId,
      conversationId: id,
      author: "counsellor",
      counsellorId: user.id,
      // She sees the counsellor's chosen pseudonym as the sender's name.
      messages: [{ type: "text", text, sender: { name: user.displayName } }],
      replyToken: fresh ? { token: fresh.replyToken, issuedAt: fresh.sentAt } : undefined,
      dedupeKey: `counsellor:${randomUUID()}`,
      keyIsNew: true,
      at,
    });
    const audited = reply
      ? Prisma.sql`WITH audited AS (${auditInsert(
          { by: user.id, action: "reply", conversationId: id, detail: reply.detail },
          Prisma.sql`TRUE`,
        )})`
      : Prisma.empty;
    await tx.$executeRaw`
      ${audited}
      UPDATE conversation
         SET last_message_at = ${at}::timestamptz,
             first_response_at = COALESCE(first_response_at, ${at}::timestamptz)
       WHERE id = ${id}::uuid`;
    return deliveryIds;
  }

  return {
    /**
     * Two counsellors can never both win: the row lock and the status check decide. One who has
     * the preset's number of chats already is refused (409 CHAT_LIMIT_REACHED), nothing changed,
     * unless the conversation is high risk: a woman in danger is never kept waiting by a limit.
     */
    claim(user: Counsellor, id: string): Promise<void> {
      return dispatcher.transaction(async (tx) => {
        // Her own row first (as deactivating her does, before her chats): two claims of hers at
        // once (two tabs) count her chats one after the other, never both under the limit.
        await tx.$queryRaw`SELECT id FROM counsellor WHERE id = ${user.id}::uuid FOR UPDATE`;
        const c = await inScope(tx, user, id);
        assertCanMove(c, "claim");
        const mine = await tx.conversation.count({
          where: { assignedToId: user.id, status: "active" },
        });
        if (mine >= preset.maxActiveChats && c.riskLevel !== "high") {
          throw new AppError(
            "CHAT_LIMIT_REACHED",
            `You have ${mine} chats open; the limit is ${preset.maxActiveChats}`,
            409,
          );
        }
        await moveConversation(tx, c, "claim", {
          by: user.id,
          data: { assignedToId: user.id, assignedAt: now() },
        });
      });
    },

    /**
     * Answers her; returns the delivery of the message (the last one when it was split). Refused,
     * with nothing written, while her exit word holds the chat (409 SENDING_HELD) or when the
     * first line would show something sensitive on her lock screen (422 UNSAFE_FIRST_LINE, the
     * word in `details`), unless the counsellor confirmed it.
     */
    sendMessage(
      user: Counsellor,
      id: string,
      text: string,
      confirmed: SendConfirmations = {},
    ): Promise<string> {
      return dispatcher.transaction(async (tx, jobs) => {
        const c = await inScope(tx, user, id);
        assertCanAnswer(user, c);
        const at = now();
        if (c.pushesHeldSince && !confirmed.overrideHold) {
          throw new AppError(
            "SENDING_HELD",
            "She sent the exit word: nothing is sent until she writes again",
            409,
          );
        }
        const word = assertSafeFirstLine(text, confirmed.unsafeFirstLine);
        if (c.pushesHeldSince) {
          // Who and when (the audit row's time), never the words.
          await audit(tx, user, "hold-override", id, {
            heldSince: c.pushesHeldSince.toISOString(),
          });
        }
        const deliveryIds = await recordReply(tx, jobs, user, c, text, at, {
          detail: word === undefined ? undefined : { unsafeFirstLineConfirmed: true },
        });
        const last = deliveryIds[deliveryIds.length - 1];
        if (!last) throw new AppError("INTERNAL", "The message was not recorded", 500);
        return last;
      });
    },

    /**
     * Recording a view and marking her messages read (既読 on her phone) go together, in one
     * statement: the scope check, the read marks, the audit row and, when something was unread,
     * the read-receipt job. Outside her scope: 404, nothing written.
     */
    async markViewed(user: Counsellor, id: string): Promise<void> {
      if (!isUuid(id)) throw new AppError("NOT_FOUND", "No such conversation", 404);
      const readAt = now();
      const receipt: JobRequest = {
        name: "mark-read",
        payload: { conversationId: id, readAt: readAt.toISOString() },
      };
      return dispatcher.single(async (db) => {
        const [row] = await db.$queryRaw<{ found: boolean; queued: boolean }[]>`
          WITH c AS (
            SELECT c.id FROM conversation c WHERE c.id = ${id}::uuid AND ${conversationScopeSql(user)}
          ), marked AS (
            UPDATE message m SET read_at = ${readAt} FROM c
             WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.read_at IS NULL
            RETURNING m.id
          ), audited AS (
            ${auditInsert({ by: user.id, action: "view", conversationId: id }, Prisma.sql`EXISTS (SELECT 1 FROM c)`)}
          ), queued AS (
            ${outboxInsert([receipt], Prisma.sql`EXISTS (SELECT 1 FROM marked)`)}
          )
          SELECT EXISTS (SELECT 1 FROM c) AS found, EXISTS (SELECT 1 FROM queued) AS queued`;
        if (!row?.found) throw new AppError("NOT_FOUND", "No such conversation", 404);
        return { value: undefined, written: row.queued ? [receipt] : [] };
      });
    },

    /**
     * A private note, or (`whisper`, supervisors and admins only) words to the counsellor who has
     * her: only that counsellor and supervisors see a whisper. Both show live on every console
     * that shows the conversation (the conversation_note trigger announces them).
     */
    addNote(user: Counsellor, id: string, text: string, whisper = false) {
      return dispatcher.transaction(async (tx) => {
        const c = await inScope(tx, user, id);
        if (whisper && user.role === "counsellor") {
          throw new AppError("FORBIDDEN", "Only a supervisor whispers to a counsellor", 403);
        }
        if (whisper && (c.status !== "active" || !c.assignedToId)) {
          throw new AppError("NO_COUNSELLOR", "Nobody has this conversation to whisper to", 409);
        }
        const note = await tx.conversationNote.create({
          data: {
            conversationId: id,
            counsellorId: user.id,
            textEnc: sealer.seal(text),
            ...(whisper ? { kind: "whisper", toCounsellorId: c.assignedToId } : {}),
          },
          select: {
            id: true,
            kind: true,
            createdAt: true,
            toCounsellor: { select: { id: true, displayName: true } },
          },
        });
        await audit(tx, user, "note", id, whisper ? { kind: "whisper" } : undefined);
        return { ...note, text };
      });
    },

    /**
     * To a colleague (she keeps chatting, with them) or to a region's queue: then she is told,
     * in neutral words (no region named), and the region's queue keeps her there even while it
     * is closed (the counsellor chose it). She is never asked again what she already told.
     */
    transfer(user: Counsellor, id: string, target: TransferTarget, note: string): Promise<void> {
      // The audit keeps where she went, never the note's words.
      const detail = target.toCounsellorId
        ? { toCounsellorId: target.toCounsellorId }
        : { toRegionId: target.toRegionId };
      return dispatcher.transaction(async (tx, jobs) => {
        const c = await inScope(tx, user, id);
        assertCanMove(c, "transfer-to-region");
        const at = now();
        if (user.role === "counsellor" && c.status === "active" && c.assignedToId !== user.id) {
          throw new AppError("NOT_YOURS", "A colleague has this conversation", 403);
        }
        if (target.toCounsellorId) {
          const to = await colleague(tx, target.toCounsellorId, c);
          await moveConversation(tx, c, "transfer-to-colleague", {
            by: user.id,
            data: { assignedToId: to.id, assignedAt: now() },
            detail,
          });
        } else {
          const region = targetRegion(target, at);
          const closed = !isOpen(region.hours, at);
          // Back to a queue with her place (waitingSince) kept.
          const moved = await moveConversation(tx, c, "transfer-to-region", {
            by: user.id,
            data: {
              regionId: region.id,
              servingRegionId: region.id,
              assignedToId: null,
              assignedAt: null,
              overflowRegions: [],
              outOfHours: closed,
            },
            // The audit shows the counsellor knew she would wait for the region to open.
            detail: { ...detail, ...(closed ? { closedConfirmed: true } : {}) },
          });
          await waiting.tellTransferred(tx, jobs, moved, at);
        }
        await tx.conversationNote.create({
          data: {
            conversationId: id,
            counsellorId: user.id,
            kind: "transfer",
            textEnc: sealer.seal(note),
          },
        });
      });
    },

    /**
     * Ends her consultation with its coding. Refused, with nothing written: her last message is
     * unanswered and no closing message answers it (409 LAST_MESSAGE_UNANSWERED, unless
     * confirmed); a closing message while her exit word holds the chat (409 SENDING_HELD) or
     * with an unsafe first line (422 UNSAFE_FIRST_LINE); a follow-up the task list refuses.
     */
    close(user: Counsellor, id: string, coding: CloseCoding): Promise<void> {
      const message = coding.closingMessage?.trim() ? coding.closingMessage : undefined;
      const summary = coding.summary?.trim() ? coding.summary.trim() : undefined;
      return dispatcher.transaction(async (tx, jobs) => {
        const c = await inScope(tx, user, id);
        assertCanAnswer(user, c);
        // The report counts the directory's partners by name and any typed agency as その他;
        // the typed names are a counsellor's free text: sealed, never copied into the audit.
        const { coded, typed } = codedReferrals(await partnerNames(tx), coding.referrals);
        const at = now();
        let firstResponseAt = c.firstResponseAt;
        let unanswered = false;
        if (message !== undefined) {
          if (c.pushesHeldSince) {
            throw new AppError(
              "SENDING_HELD",
              "She sent the exit word: close without a closing message",
              409,
            );
          }
          assertSafeFirstLine(message, coding.confirmUnsafeFirstLine);
          await recordReply(tx, jobs, user, c, message, at);
          firstResponseAt ??= at;
        } else {
          const transcript = await tx.message.findMany({
            where: { conversationId: id },
            orderBy: { seq: "asc" },
            select: { direction: true, author: true, kind: true, sentAt: true, unsentAt: true },
          });
          unanswered = lastMessageUnanswered(
            transcript.map((m) => ({ ...m, unsent: m.unsentAt !== null })),
            c.waitingSince,
          );
          if (unanswered && !coding.confirmUnanswered) {
            throw new AppError(
              "LAST_MESSAGE_UNANSWERED",
              "Her last message has no answer yet: answer it, send a closing message, or confirm",
              409,
            );
          }
        }
        const followUps = [...coding.followUps];
        const code = coding.followUp ? FOLLOW_UP_OF_KIND[coding.followUp.kind] : null;
        if (code && !followUps.includes(code)) followUps.push(code);
        const durationMinutes = chatMinutes(firstResponseAt, at);
        await moveConversation(tx, c, "close", {
          by: user.id,
          data: {
            closedAt: at,
            closedById: user.id,
            topics: coding.topics,
            referrals: coded,
            referralsOtherEnc: typed.length > 0 ? sealer.seal(JSON.stringify(typed)) : null,
            followUps,
            riskLevel: coding.riskLevel,
            silenceDueAt: null,
            closeReason: coding.endReason ?? null,
            summaryEnc: summary === undefined ? null : sealer.seal(summary),
            durationMinutes,
          },
          // The codes; referrals only counted (they may be written freely, and are on the row);
          // of the summary and the closing message only that there was one.
          detail: {
            topics: coding.topics,
            followUps,
            riskLevel: coding.riskLevel,
            referralCount: coding.referrals.length,
            durationMinutes,
            ...(coding.endReason ? { closeReason: coding.endReason } : {}),
            ...(summary !== undefined ? { summary: true } : {}),
            ...(message !== undefined ? { closingMessage: true } : {}),
            ...(unanswered ? { unansweredConfirmed: true } : {}),
          },
        });
        if (coding.followUp) {
          if (!c.regionId)
            throw new AppError("TASK_REGION_REQUIRED", "The chat has no region", 409);
          await createTaskIn(
            tx,
            user,
            { ...coding.followUp, conversationId: id, regionId: c.regionId },
            at,
          );
        }
      });
    },

    emergency(user: Counsellor, id: string, input: EmergencyInput) {
      return dispatcher.transaction(async (tx) => {
        const c = await inScope(tx, user, id);
        const record = await tx.emergencyRecord.create({
          data: {
            conversationId: id,
            counsellorId: user.id,
            desire: input.desire,
            plan: input.plan,
            means: input.means,
            timeframe: input.timeframe,
            decision: input.decision,
            calledBy: input.calledBy ?? null,
            calledAt: input.calledAt ? new Date(input.calledAt) : null,
            noteEnc: input.note ? sealer.seal(input.note) : null,
          },
          omit: { noteEnc: true },
        });
        await updateConversation(tx, id, { riskLevel: "high" });
        await tx.supervisorAlert.create({
          data: {
            conversationId: id,
            regionId: c.regionId,
            kind: "emergency",
            emergencyId: record.id,
          },
        });
        await audit(tx, user, "emergency", id, { decision: input.decision });
        return { ...record, note: input.note ?? null };
      });
    },
  };
}

export type CounsellorService = ReturnType<typeof createCounsellorService>;
