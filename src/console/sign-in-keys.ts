import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The keys of sign-in, stretched (HKDF) from APP_SECRET_KEY, which every process of the service
 * already has: every web process signs and checks device cookies alike with no new setting, and
 * a copy of the database alone (a backup, a read-only leak) cannot forge a device cookie — a
 * forged one would open a fresh device budget per cookie and so undo the account's throttling.
 * The labels carry a version: changing one (`-v2`) ends every device cookie at once.
 */
export interface SignInKeys {
  /** The device cookie's name for a login name (one per account a browser signed in to). */
  deviceCookieName(loginName: string): string;
  /** A new device cookie value for this login name. */
  newDeviceCookie(loginName: string): string;
  /** The device's id if `value` is a device cookie this service signed for `loginName`. */
  deviceId(loginName: string, value: string | undefined): string | null;
  /** Keyed hash of a typed name that names no account (its throttling key). */
  unknownNameKey(loginName: string): string;
  /** Keyed hash of a recovery code, as kept in the database. */
  recoveryCodeHash(code: string): string;
}

export function createSignInKeys(appSecretKey: string): SignInKeys {
  const derive = (info: string) =>
    Buffer.from(hkdfSync("sha256", appSecretKey, "line-women-support", info, 32));
  const deviceKey = derive("device-cookie-v1");
  const nameKey = derive("sign-in-name-v1");
  const recoveryKey = derive("recovery-code-v1");
  const mac = (key: Buffer, value: string) => createHmac("sha256", key).update(value).digest();
  const signature = (loginName: string, id: string) =>
    mac(deviceKey, `device\u0000${loginName}\u0000${id}`);

  return {
    deviceCookieName: (loginName) =>
      `lws_device_${mac(deviceKey, `name\u0000${loginName}`).toString("hex").slice(0, 16)}`,
    newDeviceCookie(loginName) {
      const id = randomBytes(16).toString("base64url");
      return `${id}.${signature(loginName, id).toString("base64url")}`;
    },
    deviceId(loginName, value) {
      const [id = "", sig = "", ...rest] = (value ?? "").split(".");
      if (!id || rest.length > 0 || !/^[\w-]{22}$/.test(id)) return null;
      const given = Buffer.from(sig, "base64url");
      const expected = signature(loginName, id);
      return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
    },
    unknownNameKey: (loginName) => `name-${mac(nameKey, loginName).toString("hex")}`,
    recoveryCodeHash: (code) => mac(recoveryKey, code).toString("hex"),
  };
}
