import { createHash, randomBytes, randomUUID } from "node:crypto";

/** Crockford base32, the alphabet of ULIDs (LINE's webhookEventId format). */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID: 10 characters of millisecond time, then 16 of randomness, 26 in all. */
export function ulid(nowMs: number): string {
  let time = "";
  let rest = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i += 1) {
    time = (CROCKFORD[rest % 32] ?? "0") + time;
    rest = Math.floor(rest / 32);
  }
  const random = Array.from(randomBytes(16), (byte) => CROCKFORD[byte % 32] ?? "0").join("");
  return time + random;
}

/** LINE user ids are `U` followed by 32 lowercase hex digits. */
export function newUserId(): string {
  return "U" + randomBytes(16).toString("hex");
}

/** A stable bot user id (webhook `destination`) derived from the channel, so restarts keep it. */
export function botUserIdFor(channelSecret: string): string {
  return "U" + createHash("sha256").update(channelSecret).digest("hex").slice(0, 32);
}

/** Reply tokens on LINE are 32 hex characters. */
export function newReplyToken(): string {
  return randomBytes(16).toString("hex");
}

/** Opaque tokens such as quoteToken and markAsReadToken. */
export function newOpaqueToken(): string {
  return randomBytes(24).toString("base64url");
}

export function newRequestId(): string {
  return randomUUID();
}

/** LINE message ids are decimal strings of about 18 digits, increasing over time. */
export function createMessageIdSource(): () => string {
  let next = BigInt(Date.now()) * 1000n + BigInt(randomBytes(2).readUInt16BE(0) % 1000);
  return () => {
    next += 1n;
    return next.toString();
  };
}
