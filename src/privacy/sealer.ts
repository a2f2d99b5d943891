import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomFillSync,
} from "node:crypto";
import { AppError } from "../errors";

/**
 * Keeps LINE identifiers and raw webhook bodies unreadable at rest. One app secret is stretched
 * (HKDF) into two independent keys: one for a keyed hash that finds a person again without
 * storing her userId in clear, one for AES-256-GCM sealing of what we must be able to read back
 * (the userId, to push to her; the raw event, to process it).
 */
export interface Sealer {
  /** Stable keyed hash (hex): the lookup key for a LINE userId or any other identifier. */
  hash(value: string): string;
  seal(plain: string): Uint8Array<ArrayBuffer>;
  open(sealed: Uint8Array): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs are cut from a pool of random bytes refilled as a whole: one call into OpenSSL per 341. */
const IV_POOL_BYTES = IV_BYTES * 341;

export function createSealer(appSecretKey: string): Sealer {
  const derive = (info: string) =>
    Buffer.from(hkdfSync("sha256", appSecretKey, "line-women-support", info, 32));
  const hashKey = derive("identifier-hash");
  const sealKey = derive("sealing");
  const ivPool = Buffer.alloc(IV_POOL_BYTES);
  let ivUsed = IV_POOL_BYTES;

  return {
    hash: (value) => createHmac("sha256", hashKey).update(value).digest("hex"),
    seal(plain) {
      // Stryker disable next-line ConditionalExpression: equivalent, because refilling the pool before every seal gives IVs just as fresh and unique, only slower.
      if (ivUsed === IV_POOL_BYTES) {
        randomFillSync(ivPool);
        ivUsed = 0;
      }
      const iv = ivPool.subarray(ivUsed, (ivUsed += IV_BYTES));
      const cipher = createCipheriv("aes-256-gcm", sealKey, iv);
      const body = cipher.update(plain, "utf8");
      const rest = cipher.final(); // empty for GCM, which is a stream mode
      // Stryker disable next-line ArithmeticOperator: equivalent, because rest.length is 0 (GCM), so adding or subtracting it gives the same length.
      const textLength = body.length + rest.length;
      const sealed = new Uint8Array(IV_BYTES + TAG_BYTES + textLength);
      sealed.set(iv, 0);
      sealed.set(cipher.getAuthTag(), IV_BYTES);
      sealed.set(body, IV_BYTES + TAG_BYTES);
      sealed.set(rest, IV_BYTES + TAG_BYTES + body.length);
      return sealed;
    },
    open(sealed) {
      const buf = Buffer.from(sealed);
      const decipher = createDecipheriv("aes-256-gcm", sealKey, buf.subarray(0, IV_BYTES));
      decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new AppError("SEAL_KEY_MISMATCH", "Stored data cannot be opened with APP_SECRET_KEY");
      }
    },
  };
}
