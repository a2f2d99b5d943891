import type { Tx } from "../db/prisma-client";

/** One line of the audit log: who (null: the service itself), did what, to which conversation. */
export interface AuditRecord {
  by: string | null;
  action: string;
  conversationId?: string | null;
  /** Codes and ids only: never her words, a note's text or a password. */
  detail?: object;
}

/**
 * The one writer of the audit log (every view of a conversation and every action on it or on
 * an account). It runs in the caller's transaction, so an action and its audit row commit
 * together or not at all.
 */
export async function recordAudit(tx: Pick<Tx, "auditEntry">, record: AuditRecord): Promise<void> {
  await tx.auditEntry.create({
    data: {
      counsellorId: record.by,
      action: record.action,
      conversationId: record.conversationId ?? null,
      detail: record.detail ?? {},
    },
  });
}
