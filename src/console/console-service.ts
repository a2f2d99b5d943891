import { randomUUID } from "node:crypto";
import type { Conversation, PrismaClient, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { REPLY_TOKEN_FRESH_MS } from "../line/delivery-service";
import { recordOutbound } from "../line/outbound-service";
import type { ConsoleUser } from "./auth-middleware";
import { conversationScope } from "./console-scope";

export interface CloseCoding {
  topics: string[];
  referrals: string[];
  followUps: string[];
  riskLevel: string;
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

/** What a console action leaves for the caller to do after commit. */
export interface ActionResult {
  deliveryIds: string[];
  markReadConversationId?: string;
}

/**
 * Counsellors' actions on conversations. Each runs in one transaction with the conversation
 * row locked, checks the caller's scope (outside it: 404), and writes the audit log.
 */
export function createConsoleService(deps: {
  prisma: PrismaClient;
  preset: Preset;
  now?: () => Date;
}) {
  const { prisma, preset } = deps;
  const now = deps.now ?? (() => new Date());

  async function locked(tx: Tx, user: ConsoleUser, id: string): Promise<Conversation> {
    await tx.$executeRaw`SELECT 1 FROM conversation WHERE id = ${id}::uuid FOR UPDATE`;
    const conversation = await tx.conversation.findFirst({
      where: { AND: [conversationScope(user), { id }] },
    });
    if (!conversation) throw new AppError("NOT_FOUND", "No such conversation", 404);
    return conversation;
  }

  const audit = (
    tx: Tx,
    user: ConsoleUser,
    action: string,
    conversationId: string | null,
    detail?: object,
  ) =>
    tx.auditEntry.create({
      data: { counsellorId: user.id, action, conversationId, detail: detail ?? {} },
    });

  /** May this user write to her now? Her counsellor, or a supervisor/admin in scope. */
  function assertCanAnswer(user: ConsoleUser, c: Conversation): void {
    if (c.status !== "active")
      throw new AppError("NOT_ACTIVE", "Take the conversation before answering", 409);
    if (c.assignedToId !== user.id && user.role === "counsellor") {
      throw new AppError("NOT_YOURS", "A colleague has this conversation", 403);
    }
  }

  return {
    /** Two counsellors can never both win: the row lock and the status check decide. */
    claim(user: ConsoleUser, id: string) {
      return prisma.$transaction(async (tx) => {
        const c = await locked(tx, user, id);
        if (c.status !== "waiting")
          throw new AppError("ALREADY_TAKEN", "Someone else took this conversation", 409);
        await tx.conversation.update({
          where: { id },
          data: { status: "active", assignedToId: user.id, assignedAt: now() },
        });
        await audit(tx, user, "claim", id);
      });
    },

    sendMessage(user: ConsoleUser, id: string, text: string): Promise<ActionResult> {
      return prisma.$transaction(async (tx) => {
        const c = await locked(tx, user, id);
        assertCanAnswer(user, c);
        const at = now();
        // Her last message's reply token, if still fresh and unused: a free reply.
        const fresh = await tx.message.findFirst({
          where: {
            conversationId: id,
            direction: "in",
            replyToken: { not: null },
            sentAt: { gt: new Date(at.getTime() - REPLY_TOKEN_FRESH_MS) },
          },
          orderBy: { sentAt: "desc" },
        });
        if (fresh) await tx.message.update({ where: { id: fresh.id }, data: { replyToken: null } });
        const deliveryIds = await recordOutbound(tx, {
          personId: c.personId,
          conversationId: id,
          author: "counsellor",
          counsellorId: user.id,
          // She sees the counsellor's chosen pseudonym as the sender's name.
          messages: [{ type: "text", text, sender: { name: user.displayName } }],
          replyToken: fresh?.replyToken
            ? { token: fresh.replyToken, issuedAt: fresh.sentAt }
            : undefined,
          dedupeKey: `counsellor:${randomUUID()}`,
        });
        await tx.conversation.update({
          where: { id },
          data: { lastMessageAt: at, firstResponseAt: c.firstResponseAt ?? at },
        });
        await audit(tx, user, "reply", id);
        return { deliveryIds };
      });
    },

    /** Recording a view and marking her messages read (既読) go together. */
    markViewed(user: ConsoleUser, id: string): Promise<ActionResult> {
      return prisma.$transaction(async (tx) => {
        const c = await tx.conversation.findFirst({
          where: { AND: [conversationScope(user), { id }] },
        });
        if (!c) throw new AppError("NOT_FOUND", "No such conversation", 404);
        const unread = await tx.message.updateMany({
          where: { conversationId: id, direction: "in", readAt: null },
          data: { readAt: now() },
        });
        await audit(tx, user, "view", id);
        return { deliveryIds: [], ...(unread.count > 0 ? { markReadConversationId: id } : {}) };
      });
    },

    addNote(user: ConsoleUser, id: string, text: string) {
      return prisma.$transaction(async (tx) => {
        await locked(tx, user, id);
        const note = await tx.conversationNote.create({
          data: { conversationId: id, counsellorId: user.id, text },
        });
        await audit(tx, user, "note", id);
        return note;
      });
    },

    /** To a colleague (she keeps chatting, with them) or to a region's queue; she is not told or asked again. */
    transfer(
      user: ConsoleUser,
      id: string,
      target: { toCounsellorId?: string; toRegionId?: string },
      note: string,
    ) {
      return prisma.$transaction(async (tx) => {
        const c = await locked(tx, user, id);
        if (c.status !== "active" && c.status !== "waiting") {
          throw new AppError("NOT_OPEN", "Only an open conversation can be transferred", 409);
        }
        if (user.role === "counsellor" && c.status === "active" && c.assignedToId !== user.id) {
          throw new AppError("NOT_YOURS", "A colleague has this conversation", 403);
        }
        if (target.toCounsellorId) {
          const to = await tx.counsellor.findFirst({
            where: { id: target.toCounsellorId, active: true },
          });
          if (!to || (to.regionId !== null && to.regionId !== c.regionId)) {
            throw new AppError(
              "BAD_TARGET",
              "That colleague cannot take a conversation of this region",
              400,
            );
          }
          await tx.conversation.update({
            where: { id },
            data: { status: "active", assignedToId: to.id, assignedAt: now() },
          });
        } else if (target.toRegionId && preset.regions.some((r) => r.id === target.toRegionId)) {
          // Back to a queue with her place (waitingSince) kept.
          await tx.conversation.update({
            where: { id },
            data: {
              status: "waiting",
              regionId: target.toRegionId,
              assignedToId: null,
              assignedAt: null,
              overflowRegions: [],
            },
          });
        } else {
          throw new AppError("BAD_TARGET", "Name a colleague or a region", 400);
        }
        await tx.conversationNote.create({
          data: { conversationId: id, counsellorId: user.id, kind: "transfer", text: note },
        });
        await audit(tx, user, "transfer", id, target);
      });
    },

    close(user: ConsoleUser, id: string, coding: CloseCoding) {
      return prisma.$transaction(async (tx) => {
        const c = await locked(tx, user, id);
        assertCanAnswer(user, c);
        await tx.conversation.update({
          where: { id },
          data: {
            status: "closed",
            closedAt: now(),
            closedById: user.id,
            topics: coding.topics,
            referrals: coding.referrals,
            followUps: coding.followUps,
            riskLevel: coding.riskLevel,
            silenceDueAt: null,
          },
        });
        await audit(tx, user, "close", id, coding);
      });
    },

    emergency(user: ConsoleUser, id: string, input: EmergencyInput) {
      return prisma.$transaction(async (tx) => {
        const c = await locked(tx, user, id);
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
            note: input.note ?? null,
          },
        });
        await tx.conversation.update({ where: { id }, data: { riskLevel: "high" } });
        await tx.supervisorAlert.create({
          data: { conversationId: id, regionId: c.regionId, kind: "emergency" },
        });
        await audit(tx, user, "emergency", id, { decision: input.decision });
        return record;
      });
    },
  };
}

export type ConsoleService = ReturnType<typeof createConsoleService>;
