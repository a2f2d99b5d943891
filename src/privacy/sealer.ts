import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomFillSync,
} from "node:crypto";
import { AppError } from "../errors";

/**
 * Keeps what she wrote, what counsellors wrote about her, and her LINE identifiers unreadable at
 * rest. The app secret is stretched (HKDF) into independent keys: one for a keyed hash that finds
 * a person again without storing her userId in clear, one for AES-256-GCM sealing of what we
 * must read back (her messages, notes, files, the userId to push to her, the raw event).
 *
 * A sealed value carries the id of the key that sealed it: `01 | key id (4) | IV (12) | tag (16)
 * | text`. While a key is being replaced, `APP_SECRET_KEY_PREVIOUS` still opens what the old key
 * sealed, and `npm run admin -- rotate-key` re-seals it (src/privacy/key-rotation.ts).
 *
 * Also opened, so no deployment loses data: values sealed before key ids (`IV | tag | text`,
 * tried under both keys) and content stored in clear before sealing (`00 | UTF-8 bytes`, written
 * by migration 20261203100000_sealed_content and sealed by rotate-key).
 */
export interface Sealer {
  /** Stable keyed hash (hex) under the current key: the lookup key for a LINE userId. */
  hash(value: string): string;
  /**
   * The keyed hashes to look her up by: the current key's, and the previous key's while one is
   * set (a rotation is re-hashing her row: she is found under either).
   */
  hashes(value: string): string[];
  seal(plain: string): Uint8Array<ArrayBuffer>;
  open(sealed: Uint8Array): string;
  sealBytes(plain: Uint8Array): Uint8Array<ArrayBuffer>;
  openBytes(sealed: Uint8Array): Buffer;
  /**
   * The first bytes of every value the current key seals (format and key id): a value that
   * starts otherwise is for rotate-key to re-seal.
   */
  readonly prefix: Buffer;
}

const FORMAT = 0x01;
/** A value stored in clear before content was sealed (never written by this code). */
const CLEAR = 0x00;
const KEY_ID_BYTES = 4;
const PREFIX_BYTES = 1 + KEY_ID_BYTES;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs are cut from a pool of random bytes refilled as a whole: one call into OpenSSL per 341. */
const IV_POOL_BYTES = IV_BYTES * 341;

interface Key {
  seal: Buffer;
  hash: Buffer;
  prefix: Buffer;
}

function deriveKey(appSecretKey: string): Key {
  const derive = (info: string, bytes = 32) =>
    Buffer.from(hkdfSync("sha256", appSecretKey, "line-women-support", info, bytes));
  return {
    seal: derive("sealing"),
    hash: derive("identifier-hash"),
    prefix: Buffer.concat([Buffer.of(FORMAT), derive("sealing-key-id", KEY_ID_BYTES)]),
  };
}

function tryOpen(key: Buffer, buf: Buffer, at: number): Buffer | undefined {
  if (buf.length < at + IV_BYTES + TAG_BYTES) return undefined;
  const decipher = createDecipheriv("aes-256-gcm", key, buf.subarray(at, at + IV_BYTES));
  decipher.setAuthTag(buf.subarray(at + IV_BYTES, at + IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(buf.subarray(at + IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

/** `previousKey`: APP_SECRET_KEY_PREVIOUS, set while the key is being replaced. */
export function createSealer(appSecretKey: string, previousKey?: string): Sealer {
  const current = deriveKey(appSecretKey);
  const previous = previousKey ? deriveKey(previousKey) : undefined;
  const keys = previous ? [current, previous] : [current];
  const ivPool = Buffer.alloc(IV_POOL_BYTES);
  let ivUsed = IV_POOL_BYTES;
  const hashWith = (key: Key, value: string) =>
    createHmac("sha256", key.hash).update(value).digest("hex");

  function sealBytes(plain: Uint8Array): Uint8Array<ArrayBuffer> {
    // Stryker disable next-line ConditionalExpression: equivalent, because refilling the pool before every seal gives IVs just as fresh and unique, only slower.
    if (ivUsed === IV_POOL_BYTES) {
      randomFillSync(ivPool);
      ivUsed = 0;
    }
    const iv = ivPool.subarray(ivUsed, (ivUsed += IV_BYTES));
    const cipher = createCipheriv("aes-256-gcm", current.seal, iv);
    const body = cipher.update(plain);
    cipher.final(); // empty for GCM, which is a stream mode
    const sealed = new Uint8Array(PREFIX_BYTES + IV_BYTES + TAG_BYTES + body.length);
    sealed.set(current.prefix, 0);
    sealed.set(iv, PREFIX_BYTES);
    sealed.set(cipher.getAuthTag(), PREFIX_BYTES + IV_BYTES);
    sealed.set(body, PREFIX_BYTES + IV_BYTES + TAG_BYTES);
    return sealed;
  }

  function openBytes(sealed: Uint8Array): Buffer {
    const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    // Stryker disable next-line ConditionalExpression: equivalent for → true, because every key's prefix starts with FORMAT, so a value with another first byte matches none; the check only skips the search
    if (buf[0] === FORMAT) {
      const key = keys.find((k) => buf.subarray(0, PREFIX_BYTES).equals(k.prefix));
      const opened = key && tryOpen(key.seal, buf, PREFIX_BYTES);
      if (opened) return opened;
    }
    // Sealed before values carried a key id: under either key.
    for (const key of keys) {
      const opened = tryOpen(key.seal, buf, 0);
      if (opened) return opened;
    }
    if (buf[0] === CLEAR) return Buffer.from(buf.subarray(1));
    throw new AppError(
      "SEAL_KEY_MISMATCH",
      `Stored data cannot be opened with APP_SECRET_KEY${previous ? " (nor APP_SECRET_KEY_PREVIOUS)" : ""}`,
    );
  }

  return {
    hash: (value) => hashWith(current, value),
    hashes: (value) => keys.map((k) => hashWith(k, value)),
    seal: (plain) => sealBytes(Buffer.from(plain, "utf8")),
    open: (sealed) => openBytes(sealed).toString("utf8"),
    sealBytes,
    openBytes,
    prefix: current.prefix,
  };
}
