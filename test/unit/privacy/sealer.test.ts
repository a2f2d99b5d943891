import { createHmac, hkdfSync } from "node:crypto";
import { AppError } from "../../../src/errors";
import { createSealer } from "../../../src/privacy/sealer";

const KEY = "unit-test-app-secret-key-0123456789abcdef";
const IV_BYTES = 12;
/** Format byte and key id, before the IV. */
const PREFIX_BYTES = 5;

describe("sealer", () => {
  it("opens what it sealed, and the sealed bytes do not contain the text", () => {
    const sealer = createSealer(KEY);
    const text = '{"type":"message","text":"夫が怖いです"}';
    const sealed = sealer.seal(text);
    expect(Buffer.from(sealed).includes(Buffer.from("夫が怖い"))).toBe(false);
    expect(sealer.open(sealed)).toBe(text);
  });

  it("never seals twice with the same IV, also across refills of its random pool", () => {
    const sealer = createSealer(KEY);
    const ivs = new Set<string>();
    const sealed = Array.from({ length: 2000 }, () => sealer.seal("同じ文"));
    for (const s of sealed) {
      ivs.add(Buffer.from(s.subarray(PREFIX_BYTES, PREFIX_BYTES + IV_BYTES)).toString("hex"));
    }
    expect(ivs.size).toBe(2000);
    // Every one still opens: no IV was changed after its seal (the pool is reused in place).
    expect(sealed.every((s) => sealer.open(s) === "同じ文")).toBe(true);
  });

  it("refuses sealed data that was altered or sealed under another key", () => {
    const sealer = createSealer(KEY);
    const sealed = sealer.seal("相談内容");
    const altered = new Uint8Array(sealed);
    altered[altered.length - 1] = (altered[altered.length - 1] ?? 0) ^ 1;
    expect(() => sealer.open(altered)).toThrow(AppError);
    expect(() => createSealer(`${KEY}-other`).open(sealed)).toThrow(/APP_SECRET_KEY/);
  });

  it("keeps the stored format: hashes and key ids of earlier versions still match (HKDF-SHA256 labels)", () => {
    // Written out from the format, not from the code: a changed label would lose every stored
    // hash (she would no longer be found) and every key id (rotate-key would re-seal everything).
    const derive = (info: string, bytes: number) =>
      Buffer.from(hkdfSync("sha256", KEY, "line-women-support", info, bytes));
    const sealer = createSealer(KEY);
    expect(sealer.hash("U1234")).toBe(
      createHmac("sha256", derive("identifier-hash", 32)).update("U1234").digest("hex"),
    );
    expect(sealer.prefix).toEqual(Buffer.concat([Buffer.of(0x01), derive("sealing-key-id", 4)]));
  });

  it("finds a person again by a keyed hash that depends on the key", () => {
    const a = createSealer(KEY);
    expect(a.hash("U123")).toBe(createSealer(KEY).hash("U123"));
    expect(a.hash("U123")).not.toBe(a.hash("U124"));
    expect(a.hash("U123")).not.toBe(createSealer(`${KEY}-other`).hash("U123"));
  });
});

/**
 * What an earlier release stored must still be found and opened with the same APP_SECRET_KEY:
 * her person is looked up by this hash, and her userId and the queued events are sealed this
 * way. A change to the key derivation would make every woman a stranger and the data unreadable.
 */
describe("sealer, against data stored before", () => {
  const sealer = createSealer(KEY);

  it("finds her person by the same hash as before", () => {
    expect(sealer.hash("U123")).toBe(
      "55d9189e6d8a9430108e65514b13c30b35b2973d2bd7a922d1e2af00a3dbbbf3",
    );
  });

  it("opens what was sealed before: IV, then tag, then the text", () => {
    const stored =
      "3da4e8e67cbae8d535ecf4f0509663395e12c1c42b606a22199e5d519cdc33050554b1b674aaff1c";
    expect(sealer.open(Buffer.from(stored, "hex"))).toBe("相談内容");
    expect(
      sealer.open(Buffer.from("a9cb7e0257af1883feb2a40ea739667e1710511375e5240f3d04e226", "hex")),
    ).toBe("");
  });

  it("seals into format, key id, IV, tag and text of the same length, and nothing more", () => {
    expect(sealer.seal("")).toHaveLength(33);
    expect(sealer.seal("相談内容")).toHaveLength(33 + Buffer.byteLength("相談内容"));
    expect(Buffer.from(sealer.seal("x").subarray(0, PREFIX_BYTES))).toEqual(sealer.prefix);
  });

  it("reads content stored in clear before sealing (a 00 byte, then its UTF-8)", () => {
    const clear = Buffer.concat([Buffer.of(0), Buffer.from("夫が怖いです")]);
    expect(sealer.open(clear)).toBe("夫が怖いです");
    expect(clear.subarray(0, PREFIX_BYTES).equals(sealer.prefix)).toBe(false);
  });

  it("refuses with a typed error that names the key to check", () => {
    const sealed = createSealer(`${KEY}-other`).seal("相談内容");
    let error: unknown;
    try {
      sealer.open(sealed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: "SEAL_KEY_MISMATCH",
      message: "Stored data cannot be opened with APP_SECRET_KEY",
    });
  });
});

describe("sealer, while the key is replaced", () => {
  const OLD = KEY;
  const NEW = "unit-test-app-secret-key-the-new-one-9876543210";

  it("names the key in each value: the new key seals, the previous key's values still open", () => {
    const before = createSealer(OLD).seal("夫が怖いです");
    const rotating = createSealer(NEW, OLD);
    expect(rotating.open(before)).toBe("夫が怖いです");
    expect(Buffer.from(before.subarray(0, PREFIX_BYTES)).equals(rotating.prefix)).toBe(false);
    const after = rotating.seal("夫が怖いです");
    expect(Buffer.from(after.subarray(0, PREFIX_BYTES)).equals(rotating.prefix)).toBe(true);
    expect(createSealer(NEW).open(after)).toBe("夫が怖いです");
    // Without the previous key, what it sealed cannot be opened.
    expect(() => createSealer(NEW).open(before)).toThrow(AppError);
  });

  it("says that neither key opens a value sealed under a third", () => {
    const stranger = createSealer(`${KEY}-third`).seal("相談内容");
    const open = () => createSealer(NEW, OLD).open(stranger);
    expect(open).toThrow(AppError);
    expect(open).toThrow(
      /^Stored data cannot be opened with APP_SECRET_KEY \(nor APP_SECRET_KEY_PREVIOUS\)$/,
    );
  });

  it("opens values sealed before key ids under the previous key too", () => {
    const legacy = Buffer.from(
      "3da4e8e67cbae8d535ecf4f0509663395e12c1c42b606a22199e5d519cdc33050554b1b674aaff1c",
      "hex",
    );
    expect(createSealer(NEW, OLD).open(legacy)).toBe("相談内容");
    expect(() => createSealer(NEW).open(legacy)).toThrow(AppError);
  });

  it("finds her under the new key's hash and the previous key's", () => {
    const rotating = createSealer(NEW, OLD);
    expect(rotating.hashes("U123")).toEqual([
      createSealer(NEW).hash("U123"),
      createSealer(OLD).hash("U123"),
    ]);
    expect(createSealer(NEW).hashes("U123")).toEqual([createSealer(NEW).hash("U123")]);
  });

  it("seals bytes (a file's chunk) on their own, not readable in the sealed bytes", () => {
    const chunk = Buffer.from("\x89PNG 山田太郎の写真");
    const sealed = createSealer(NEW).sealBytes(chunk);
    expect(Buffer.from(sealed).includes(Buffer.from("山田太郎"))).toBe(false);
    expect(createSealer(NEW, OLD).openBytes(sealed)).toEqual(chunk);
  });
});
