import { AppError } from "../../../src/errors";
import { createSealer } from "../../../src/privacy/sealer";

const KEY = "unit-test-app-secret-key-0123456789abcdef";
const IV_BYTES = 12;

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
    for (const s of sealed) ivs.add(Buffer.from(s.subarray(0, IV_BYTES)).toString("hex"));
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

  it("finds a person again by a keyed hash that depends on the key", () => {
    const a = createSealer(KEY);
    expect(a.hash("U123")).toBe(createSealer(KEY).hash("U123"));
    expect(a.hash("U123")).not.toBe(a.hash("U124"));
    expect(a.hash("U123")).not.toBe(createSealer(`${KEY}-other`).hash("U123"));
  });
});
