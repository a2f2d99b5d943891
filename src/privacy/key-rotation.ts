import type { Pool } from "pg";
import { AppError } from "../errors";
import type { Sealer } from "./sealer";

/**
 * `npm run admin -- rotate-key`: everything sealed or hashed under APP_SECRET_KEY_PREVIOUS (or
 * stored in clear before content was sealed) is re-sealed and re-hashed under APP_SECRET_KEY,
 * in batches, while the service runs. Run it once every process has the new key (and the old one
 * as APP_SECRET_KEY_PREVIOUS); then unset APP_SECRET_KEY_PREVIOUS.
 *
 * - No lost update: a batch writes a row only where its sealed value is still the one read (a
 *   compare-and-set in one UPDATE); a row the service changed meanwhile was written under the
 *   new key already, or emptied (unsend), and is left as it is.
 * - No half-rotated value: a row's value and its keyed hash change in the same UPDATE.
 * - Nobody is split: her person row gets her new keyed hash with her re-sealed LINE id; until
 *   then the service finds her under either hash (Sealer.hashes). Her pseudonym is kept as is.
 * - Statistics read only coded columns: nothing they count is touched.
 */

interface Column {
  table: string;
  /** The primary key's columns and their SQL types, in key order. */
  key: { name: string; type: string }[];
  column: string;
  /** Rows per batch: a media chunk is 256 KiB, a message a few hundred bytes. */
  batch: number;
  /** A keyed hash kept beside the sealed value, computed again from the opened value. */
  rehash?: { column: string; of: (opened: Buffer) => string | null };
}

export interface RotationDeps {
  pool: Pool;
  sealer: Sealer;
  /** The LINE user (or group, room) id a raw webhook event belongs to, from its JSON. */
  sourceIdOf: (eventJson: string) => string | undefined;
  /** One line of progress. */
  report: (line: string) => void;
  /** Rows per batch, at most (tests and the bench use the defaults). */
  batchSize?: number;
}

export interface RotationResult {
  /** Values re-sealed, per table.column. */
  resealed: Record<string, number>;
  /** Values that opened under neither key: left as they are (the command exits non-zero). */
  unreadable: string[];
}

const uuid = (name: string) => ({ name, type: "uuid" });

function columns(deps: RotationDeps): Column[] {
  const { sealer } = deps;
  const n = deps.batchSize ?? 1000;
  return [
    {
      table: "person",
      key: [uuid("id")],
      column: "line_user_id_enc",
      batch: n,
      rehash: { column: "line_user_hash", of: (id) => sealer.hash(id.toString("utf8")) },
    },
    {
      table: "webhook_event",
      key: [{ name: "id", type: "bigint" }],
      column: "payload_enc",
      batch: Math.max(1, Math.floor(n / 4)),
      rehash: {
        column: "source_key",
        of: (json) => {
          const source = deps.sourceIdOf(json.toString("utf8"));
          return source ? sealer.hash(source) : null;
        },
      },
    },
    { table: "counsellor", key: [uuid("id")], column: "totp_secret", batch: n },
    { table: "message", key: [uuid("id")], column: "text_enc", batch: n },
    { table: "conversation_note", key: [uuid("id")], column: "text_enc", batch: n },
    { table: "emergency_record", key: [uuid("id")], column: "note_enc", batch: n },
    { table: "conversation", key: [uuid("id")], column: "referrals_other_enc", batch: n },
    { table: "conversation", key: [uuid("id")], column: "summary_enc", batch: n },
    { table: "outbound_delivery", key: [uuid("id")], column: "payload_enc", batch: n },
    {
      table: "idempotency_key",
      key: [uuid("counsellor_id"), { name: "key", type: "text" }],
      column: "response_body_enc",
      batch: n,
    },
    {
      table: "message_media_chunk",
      key: [uuid("message_id"), { name: "seq", type: "integer" }],
      column: "bytes",
      batch: Math.max(1, Math.floor(n / 100)),
    },
  ];
}

export async function rotateKey(deps: RotationDeps): Promise<RotationResult> {
  const result: RotationResult = { resealed: {}, unreadable: [] };
  for (const c of columns(deps)) {
    const name = `${c.table}.${c.column}`;
    const count = await rotateColumn(deps, c, result.unreadable);
    result.resealed[name] = count;
    deps.report(`${name}: ${count} re-sealed`);
  }
  return result;
}

/** One column, batch after batch in key order; returns how many values were re-sealed. */
async function rotateColumn(deps: RotationDeps, c: Column, unreadable: string[]) {
  const { pool, sealer, report } = deps;
  const keyList = c.key.map((k) => `"${k.name}"`).join(", ");
  const after = (from: number) =>
    `(${keyList}) > (${c.key.map((k, i) => `$${from + i}::${k.type}`).join(", ")})`;
  // Only what the current key did not seal: a second run, or a row the service rewrote, is
  // skipped without being opened.
  // Keys are read as text (k0, k1…) and ordered by the columns themselves: ordered by their
  // text, 10 would come before 9 and the next batch would skip rows.
  const select = (cursor: boolean) => `
    SELECT ${c.key.map((k, i) => `"${k.name}"::text AS k${i}`).join(", ")}, "${c.column}" AS v
    FROM "${c.table}"
    WHERE "${c.column}" IS NOT NULL AND substring("${c.column}" FROM 1 FOR $1) <> $2
      ${cursor ? `AND ${after(4)}` : ""}
    ORDER BY ${keyList} LIMIT $3`;
  const arrays = c.key.map((k, i) => `$${i + 1}::${k.type}[]`);
  const extra = c.key.length;
  const update = `
    UPDATE "${c.table}" t SET "${c.column}" = v.new
      ${c.rehash ? `, "${c.rehash.column}" = v.hash` : ""}
    FROM unnest(${[...arrays, `$${extra + 1}::bytea[]`, `$${extra + 2}::bytea[]`, ...(c.rehash ? [`$${extra + 3}::text[]`] : [])].join(", ")})
      AS v(${[...c.key.map((k) => `"${k.name}"`), "old", "new", ...(c.rehash ? ["hash"] : [])].join(", ")})
    WHERE ${c.key.map((k) => `t."${k.name}" = v."${k.name}"`).join(" AND ")}
      AND t."${c.column}" = v.old`;

  let cursor: string[] | undefined;
  let resealed = 0;
  for (;;) {
    const params: unknown[] = [sealer.prefix.length, sealer.prefix, c.batch, ...(cursor ?? [])];
    const rows = (
      await pool.query<Record<string, string> & { v: Buffer }>(select(!!cursor), params)
    ).rows;
    if (rows.length === 0) return resealed;
    const last = rows[rows.length - 1];
    cursor = c.key.map((_, i) => last?.[`k${i}`] ?? "");
    const keys: string[][] = c.key.map(() => []);
    const olds: Buffer[] = [];
    const news: Buffer[] = [];
    const hashes: (string | null)[] = [];
    for (const row of rows) {
      let opened: Buffer;
      try {
        opened = sealer.openBytes(row.v);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        unreadable.push(`${c.table} ${c.key.map((_, i) => row[`k${i}`]).join("/")}`);
        continue;
      }
      c.key.forEach((_, i) => keys[i]?.push(row[`k${i}`] ?? ""));
      olds.push(row.v);
      news.push(Buffer.from(sealer.sealBytes(opened).buffer));
      if (c.rehash) hashes.push(c.rehash.of(opened));
    }
    if (olds.length > 0) {
      const updated = await pool
        .query(update, [...keys, olds, news, ...(c.rehash ? [hashes] : [])])
        .catch((error: unknown) => {
          // Two rows of one LINE id, one under each key: only a process still running with the
          // old key alone (not given APP_SECRET_KEY_PREVIOUS) can have made the second.
          if ((error as { code?: string }).code === "23505") {
            throw new AppError(
              "ROTATE_DUPLICATE",
              `${c.table}: a row already has the new keyed hash of another; was a process left running with the old key alone?`,
            );
          }
          throw error;
        });
      resealed += updated.rowCount ?? 0;
    }
    if (rows.length === c.batch) report(`${c.table}.${c.column}: ${resealed} re-sealed so far`);
  }
}
