import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The keys of sign-in, stretched (HKDF) from APP_SECRET_KEY, which every process of the service
 * already has: every web process signs and checks device cookies alike with no new setting, and
 * a copy of the database alone (a backup, a read-only leak) cannot forge a device cookie — a
 * forged one would open a fresh device budget per cookie and so undo the account's throttling.
 * The labels carry a version: changing one (`-v2`) ends every device cookie at once.
 *
 * While APP_SECRET_KEY is being replaced (APP_SECRET_KEY_PREVIOUS set), what the previous key
 * made still counts: a device cookie it signed is known (and replaced by one of the new key at
 * her next sign-in), and a recovery code it hashed still signs in. Recovery codes cannot be
 * re-hashed (only their hash is kept): made under the previous key, they stop working once it
 * is unset, so `rotate-key` names the accounts that should make new ones.
 */
export interface SignInKeys {
  /** The device cookie's name for a login name (one per account a browser signed in to). */
  deviceCookieName(loginName: string): string;
  /** A new device cookie value for this login name. */
  newDeviceCookie(loginName: string): string;
  /**
   * The device's id if the browser holds a device cookie this service signed for `loginName`
   * (under the current key, or the previous one while it is set); `cookie` reads one by name.
   */
  deviceId(loginName: string, cookie: (name: string) => string | undefined): string | null;
  /** Keyed hash of a typed name that names no account (its throttling key). */
  unknownNameKey(loginName: string): string;
  /** Keyed hash of a recovery code, as kept in the database. */
  recoveryCodeHash(code: string): string;
  /** The hashes a kept recovery code may have: under the current key, and the previous one. */
  recoveryCodeHashes(code: string): string[];
}

const mac = (key: Buffer, value: string) => createHmac("sha256", key).update(value).digest();

function keysOf(appSecretKey: string) {
  const derive = (info: string) =>
    Buffer.from(hkdfSync("sha256", appSecretKey, "line-women-support", info, 32));
  const device = derive("device-cookie-v1");
  return {
    name: derive("sign-in-name-v1"),
    recovery: derive("recovery-code-v1"),
    cookieName: (loginName: string) =>
      `lws_device_${mac(device, `name\u0000${loginName}`).toString("hex").slice(0, 16)}`,
    signature: (loginName: string, id: string) =>
      mac(device, `device\u0000${loginName}\u0000${id}`),
  };
}

/** `previousKey`: APP_SECRET_KEY_PREVIOUS, set while the key is being replaced. */
export function createSignInKeys(appSecretKey: string, previousKey?: string): SignInKeys {
  const current = keysOf(appSecretKey);
  const all = previousKey ? [current, keysOf(previousKey)] : [current];

  function signedId(keys: typeof current, loginName: string, value: string | undefined) {
    const [id = "", sig = "", ...rest] = (value ?? "").split(".");
    if (!id || rest.length > 0 || !/^[\w-]{22}$/.test(id)) return null;
    const given = Buffer.from(sig, "base64url");
    const expected = keys.signature(loginName, id);
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
  }

  return {
    deviceCookieName: (loginName) => current.cookieName(loginName),
    newDeviceCookie(loginName) {
      const id = randomBytes(16).toString("base64url");
      return `${id}.${current.signature(loginName, id).toString("base64url")}`;
    },
    deviceId(loginName, cookie) {
      for (const keys of all) {
        const id = signedId(keys, loginName, cookie(keys.cookieName(loginName)));
        if (id) return id;
      }
      return null;
    },
    unknownNameKey: (loginName) => `name-${mac(current.name, loginName).toString("hex")}`,
    recoveryCodeHash: (code) => mac(current.recovery, code).toString("hex"),
    recoveryCodeHashes: (code) => all.map((keys) => mac(keys.recovery, code).toString("hex")),
  };
}
