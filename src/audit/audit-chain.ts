import { createHash } from "node:crypto";
import type { PrismaClient } from "../db/prisma-client";

/**
 * The audit log's hash chain, checked from outside the database. Each row of `audit_entry`
 * carries its place in the chain (`chain_seq`, 1, 2, 3 … with no gap), the previous row's hash
 * (`prev_hash`) and its own: SHA-256 over prev_hash and its canonical content, computed by the
 * database when the row's transaction commits (migration 20261203120000_audit_chain). The
 * canonical content is computed again here, from the columns, so a row changed afterwards (with
 * the append-only trigger turned off) no longer matches its hash, a row removed leaves a gap and
 * a link that points at nothing, and a row slipped in without the trigger has no place.
 */

/** The first link's prev_hash, when no retention has restarted the chain. */
export const GENESIS_HASH = Buffer.alloc(32);

/** One row as verification reads it: every column the hash covers, as text. */
export interface ChainRow {
  id: string;
  chainSeq: string;
  atMs: string;
  counsellorId: string | null;
  action: string;
  conversationId: string | null;
  /** jsonb's own text of the detail (PostgreSQL's canonical form), null when none. */
  detail: string | null;
  prevHash: Uint8Array | null;
  hash: Uint8Array | null;
}

/** The same bytes as audit_entry_content() in SQL: the fields joined by 0x1f, '-' for null. */
export function canonicalContent(row: ChainRow): Buffer {
  return Buffer.from(
    [
      row.chainSeq,
      row.id,
      row.atMs,
      row.counsellorId ?? "-",
      row.action,
      row.conversationId ?? "-",
      row.detail ?? "-",
    ].join("\x1f"),
    "utf8",
  );
}

export function chainHash(prevHash: Uint8Array, row: ChainRow): Buffer {
  return createHash("sha256").update(prevHash).update(canonicalContent(row)).digest();
}

/** Where the chain starts: at 1 from zeros, or where retention last restarted it. */
export interface ChainStart {
  seq: bigint;
  prevHash: Buffer;
  /** Rows before this time were removed by retention (null: nothing removed). */
  removedBefore: Date | null;
}

export interface BrokenLink {
  /** The audit row where the chain breaks (its id), and its place in the chain. */
  id: string;
  chainSeq: string | null;
  /** What differs, in a sentence for the operator. */
  problem: string;
}

export interface ChainVerdict {
  checked: number;
  start: ChainStart;
  /** The last row checked: write its place and hash down to prove later that nothing before it was rewritten. */
  head: { chainSeq: string; hash: string } | null;
  broken: BrokenLink | null;
}

const hex = (b: Uint8Array | null) => (b ? Buffer.from(b).toString("hex") : "none");
const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && Buffer.from(a).equals(b);

export async function chainStart(db: PrismaClient): Promise<ChainStart> {
  const [restart] = await db.auditChainRestart.findMany({ orderBy: { id: "desc" }, take: 1 });
  return restart
    ? {
        seq: restart.restartSeq,
        prevHash: Buffer.from(restart.restartPrevHash),
        removedBefore: restart.removedBefore,
      }
    : { seq: 1n, prevHash: GENESIS_HASH, removedBefore: null };
}

/**
 * Walks the whole chain in batches of `batchSize` rows, in chain order, and stops at the first
 * broken link. `onBatch` hears how many rows were checked so far (for a progress line).
 */
export async function verifyAuditChain(
  db: PrismaClient,
  options: {
    batchSize?: number;
    onBatch?: (checked: number) => void;
    /** A head written down earlier: the chain must still reach that place with that hash. */
    anchor?: { seq: bigint; hash: string };
  } = {},
): Promise<ChainVerdict> {
  const { anchor } = options;
  const batchSize = options.batchSize ?? 5000;
  const start = await chainStart(db);
  const verdict = (checked: number, head: ChainVerdict["head"], broken: BrokenLink | null) => ({
    checked,
    start,
    head,
    broken,
  });

  // A row outside the chain: written with the chain trigger turned off.
  const unchained = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM audit_entry WHERE chain_seq IS NULL OR hash IS NULL
    ORDER BY id LIMIT 1`;
  if (unchained[0]) {
    return verdict(0, null, {
      id: unchained[0].id,
      chainSeq: null,
      problem: "the row has no place or hash in the chain (written with the chain trigger off)",
    });
  }

  let expectedSeq = start.seq;
  let expectedPrev: Buffer = start.prevHash;
  let checked = 0;
  let head: ChainVerdict["head"] = null;
  let after = -1n;
  for (;;) {
    const rows = await db.$queryRaw<ChainRow[]>`
      SELECT id::text AS "id", chain_seq::text AS "chainSeq",
             (extract(epoch FROM at) * 1000)::bigint::text AS "atMs",
             counsellor_id::text AS "counsellorId", action,
             conversation_id::text AS "conversationId", detail::text AS "detail",
             prev_hash AS "prevHash", hash
      FROM audit_entry WHERE chain_seq > ${after}
      ORDER BY chain_seq LIMIT ${batchSize}`;
    for (const row of rows) {
      const seq = BigInt(row.chainSeq);
      const at = { id: row.id, chainSeq: row.chainSeq };
      if (seq < expectedSeq) {
        return verdict(checked, head, {
          ...at,
          problem: `the row is before the chain's start at place ${expectedSeq}`,
        });
      }
      if (seq > expectedSeq) {
        return verdict(checked, head, {
          ...at,
          problem: `place${seq - expectedSeq > 1n ? "s" : ""} ${expectedSeq}${seq - expectedSeq > 1n ? `–${seq - 1n}` : ""} before it ${seq - expectedSeq > 1n ? "are" : "is"} missing (a row removed)`,
        });
      }
      if (!same(row.prevHash, expectedPrev)) {
        return verdict(checked, head, {
          ...at,
          problem: `prev_hash ${hex(row.prevHash)} is not the hash of the row before it (${expectedPrev.toString("hex")})`,
        });
      }
      const computed = chainHash(expectedPrev, row);
      if (!same(row.hash, computed)) {
        return verdict(checked, head, {
          ...at,
          problem: `its content no longer matches its hash (changed after it was written): stored ${hex(row.hash)}, computed ${computed.toString("hex")}`,
        });
      }
      if (anchor && seq === anchor.seq && computed.toString("hex") !== anchor.hash.toLowerCase()) {
        return verdict(checked, head, {
          ...at,
          problem: `the chain was rewritten: place ${seq} has hash ${computed.toString("hex")}, not the ${anchor.hash} kept`,
        });
      }
      checked++;
      expectedSeq = seq + 1n;
      expectedPrev = computed;
      head = { chainSeq: row.chainSeq, hash: computed.toString("hex") };
    }
    options.onBatch?.(checked);
    if (rows.length < batchSize) break;
    after = expectedSeq - 1n;
  }
  if (anchor && anchor.seq >= start.seq && anchor.seq >= expectedSeq) {
    return verdict(checked, head, {
      id: "none",
      chainSeq: String(anchor.seq),
      problem: `the chain ends at place ${expectedSeq - 1n}, before the place ${anchor.seq} kept (the newest rows were removed)`,
    });
  }
  return verdict(checked, head, null);
}
