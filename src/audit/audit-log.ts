import { Prisma, type Tx } from "../db/prisma-client";
import { assertAuditDetail, type AuditDetail } from "./audit-detail";

/**
 * One line of the audit log: who (null: the service itself, the command line, or a sign-in
 * attempt for a name that is no account), did what, to which conversation.
 */
export interface AuditRecord {
  by: string | null;
  action: string;
  conversationId?: string | null;
  /** Codes, ids, booleans, numbers and dates only (audit-detail.ts): never free text. */
  detail?: AuditDetail;
}

/**
 * The one writer of the audit log (every view of a conversation and every action on it or on
 * an account). It runs in the caller's transaction, so an action and its audit row commit
 * together or not at all. A detail that could carry free text is refused, and the action with
 * it. The row is chained (prev_hash, hash) by the database when the transaction commits.
 */
export async function recordAudit(tx: Pick<Tx, "auditEntry">, record: AuditRecord): Promise<void> {
  const detail = record.detail ?? {};
  assertAuditDetail(detail);
  await tx.auditEntry.create({
    data: {
      counsellorId: record.by,
      action: record.action,
      conversationId: record.conversationId ?? null,
      detail,
    },
  });
}

/**
 * The same row as `recordAudit`, as the INSERT a change made in one statement writes it with (a
 * data-modifying CTE), only when `when` holds. Its detail is checked as recordAudit checks it.
 */
export function auditInsert(record: AuditRecord, when: Prisma.Sql): Prisma.Sql {
  const detail = record.detail ?? {};
  assertAuditDetail(detail);
  return Prisma.sql`
    INSERT INTO audit_entry (counsellor_id, action, conversation_id, detail)
    SELECT ${record.by}::uuid, ${record.action}, ${record.conversationId ?? null}::uuid,
           ${JSON.stringify(detail)}::jsonb
    WHERE ${when}`;
}
