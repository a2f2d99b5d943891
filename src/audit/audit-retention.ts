import type { PrismaClient } from "../db/prisma-client";
import { recordAudit } from "./audit-log";

/** Japan has one offset all year: a month starts at 00:00 +09:00. */
const JST_MS = 9 * 3600_000;

/** The first instant of the month (Japan time) that `cutoff` falls in. */
export function monthStartBefore(cutoff: Date): Date {
  const local = new Date(cutoff.getTime() + JST_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - JST_MS);
}

export interface AuditPruned {
  /** Every row of the months before this instant that came before the chain's restart is gone. */
  removedBefore: Date;
  removed: number;
  /** The chain's new start (null when nothing was removed). */
  restartSeq: bigint | null;
}

/**
 * Audit retention: removes the audit rows of whole months (Japan time) before the month `cutoff`
 * falls in, never part of a month, and records where the chain restarts (`audit_chain_restart`:
 * the first row kept and the hash it links to), so `verify-audit` still passes. Removed: the
 * chain's rows up to the first one written in or after that month; a row of an older month
 * written after it (a transaction that committed late) stays, as a removal would break the chain.
 *
 * The append-only trigger lets a DELETE through only for rows before the place this function
 * names in the transaction-local setting `audit.prune_below`; it holds the chain's advisory lock
 * throughout, so no row is chained while it runs. The removal is itself audited (`audit-prune`).
 */
export async function pruneAuditBefore(db: PrismaClient, cutoff: Date): Promise<AuditPruned> {
  const removedBefore = monthStartBefore(cutoff);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(1635, 1)`;
      const [firstKept] = await tx.$queryRaw<{ seq: bigint; prev: Uint8Array }[]>`
        SELECT chain_seq AS seq, prev_hash AS prev FROM audit_entry
        WHERE at >= ${removedBefore} AND chain_seq IS NOT NULL
        ORDER BY chain_seq LIMIT 1`;
      // Every row is older: the chain goes on after the last one.
      const [last] = firstKept
        ? [undefined]
        : await tx.$queryRaw<{ seq: bigint; hash: Uint8Array }[]>`
            SELECT chain_seq AS seq, hash FROM audit_entry WHERE chain_seq IS NOT NULL
            ORDER BY chain_seq DESC LIMIT 1`;
      const restart = firstKept
        ? { seq: firstKept.seq, prev: firstKept.prev }
        : last
          ? { seq: last.seq + 1n, prev: last.hash }
          : null;
      const [oldest] = await tx.$queryRaw<{ seq: bigint | null }[]>`
        SELECT min(chain_seq) AS seq FROM audit_entry`;
      if (!restart || oldest?.seq === null || oldest === undefined || oldest.seq >= restart.seq) {
        return { removedBefore, removed: 0, restartSeq: null };
      }
      await tx.$executeRaw`SELECT set_config('audit.prune_below', ${restart.seq.toString()}, true)`;
      const removed =
        await tx.$executeRaw`DELETE FROM audit_entry WHERE chain_seq < ${restart.seq}`;
      await tx.$executeRaw`SELECT set_config('audit.prune_below', '', true)`;
      await tx.auditChainRestart.create({
        data: {
          removedBefore,
          removedCount: removed,
          restartSeq: restart.seq,
          restartPrevHash: Buffer.from(restart.prev),
        },
      });
      await recordAudit(tx, {
        by: null,
        action: "audit-prune",
        detail: {
          removedBefore: removedBefore.toISOString(),
          removed,
          restartSeq: Number(restart.seq),
        },
      });
      return { removedBefore, removed, restartSeq: restart.seq };
    },
    { timeout: 120_000 },
  );
}
