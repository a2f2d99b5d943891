import type { AuditDetail } from "../audit/audit-detail";
import { recordAudit } from "../audit/audit-log";
import type { Conversation, Prisma, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import { moveSpec, nextStatus, type ConversationStatus, type Move } from "./conversation-lifecycle";

/** Columns other than the status; the status changes only through a move. */
export type ConversationChange = Omit<Prisma.ConversationUncheckedUpdateInput, "status" | "id">;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Is this a row id at all? Anything else names no conversation (404, not a database error). */
export const isUuid = (id: string): boolean => UUID.test(id);

/**
 * Locks her conversation row until the transaction ends, so two changes to it never
 * interleave (two counsellors claiming, a timer firing while she writes). `scope` limits it to
 * what the caller may see: outside it, or for an id that is not one, the result is null.
 */
export async function lockConversation(
  tx: Tx,
  id: string,
  scope: Prisma.ConversationWhereInput = {},
): Promise<Conversation | null> {
  if (!isUuid(id)) return null;
  await tx.$executeRaw`SELECT 1 FROM conversation WHERE id = ${id}::uuid FOR UPDATE`;
  return tx.conversation.findFirst({ where: { AND: [scope, { id }] } });
}

/** As `lockConversation`, for a counsellor's request: 404 when it is not there for her or him. */
export async function lockInScope(
  tx: Tx,
  id: string,
  scope: Prisma.ConversationWhereInput,
): Promise<Conversation> {
  const conversation = await lockConversation(tx, id, scope);
  if (!conversation) throw new AppError("NOT_FOUND", "No such conversation", 404);
  return conversation;
}

export interface MoveRecord {
  /** The counsellor who asked for it; null when the service moved it (her message, a timer). */
  by: string | null;
  /** Why, in a code (the flow's hand-off or end reason); the audit row keeps it. */
  reason?: string;
  /** Other columns that change with the move. */
  data?: ConversationChange;
  /** Codes and ids for the audit row: never free text. */
  detail?: AuditDetail;
}

/**
 * Moves a conversation along the lifecycle table: the status, the columns that go with it and
 * one audit row per move, in the caller's transaction (which holds the row lock). A move the
 * table does not allow from the current status is refused with the move's own error, so a
 * counsellor learns why (409), and nothing is written.
 */
export async function moveConversation(
  tx: Tx,
  conversation: Conversation,
  move: Move,
  record: MoveRecord,
): Promise<Conversation> {
  return applyMoves(tx, conversation, [move], record);
}

/** Several moves in one step (the flow engine may hand her over and end in one turn). */
export async function applyMoves(
  tx: Tx,
  conversation: Conversation,
  moves: readonly Move[],
  record: MoveRecord,
): Promise<Conversation> {
  let status: ConversationStatus = conversation.status;
  const steps: { move: Move; from: ConversationStatus; to: ConversationStatus }[] = [];
  for (const move of moves) {
    const to = nextStatus(move, status);
    if (!to) throw refusalOf(move, status);
    steps.push({ move, from: status, to });
    status = to;
  }
  const updated = await tx.conversation.update({
    // The status it was read with: a change that raced (and was not locked out) fails here and
    // its transaction rolls back, rather than overwrite a newer status.
    where: { id: conversation.id, ...(steps.length > 0 ? { status: conversation.status } : {}) },
    data: { ...record.data, ...(steps.length > 0 ? { status } : {}) },
  });
  for (const step of steps) {
    await recordAudit(tx, {
      by: record.by,
      action: moveSpec(step.move).audit,
      conversationId: conversation.id,
      detail: {
        from: step.from,
        to: step.to,
        ...(record.reason ? { reason: record.reason } : {}),
        ...record.detail,
      },
    });
  }
  return updated;
}

/** A change that is not a move (her last message's time, triage answers, risk): status stays. */
export function updateConversation(
  tx: Tx,
  id: string,
  data: ConversationChange,
): Promise<Conversation> {
  return tx.conversation.update({ where: { id }, data });
}

/** Refuses a move the table does not allow from the conversation's status (nothing written). */
export function assertCanMove(conversation: Conversation, move: Move): void {
  if (!nextStatus(move, conversation.status)) throw refusalOf(move, conversation.status);
}

function refusalOf(move: Move, status: ConversationStatus): AppError {
  const { refusal } = moveSpec(move);
  if (refusal) return new AppError(refusal.code, refusal.message, refusal.status);
  return new AppError("NOT_ALLOWED", `A conversation cannot ${move} when ${status}`, 409);
}
