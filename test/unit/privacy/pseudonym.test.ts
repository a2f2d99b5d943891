import {
  CODE_ALPHABET,
  FIRST_WORDS,
  PSEUDONYM_COUNT,
  SECOND_WORDS,
  pseudonymFor,
} from "../../../src/privacy/pseudonym";
import { createSealer } from "../../../src/privacy/sealer";

const sealer = createSealer("unit-test-app-secret-key-0123456789abcdef");
/** Kanji words, hiragana words, a hyphen and six letters that cannot be misread. */
const FORMAT = /^(\p{Script=Han}+)(\p{Script=Hiragana}+)-([2-9A-HJ-NP-Z]{6})$/u;
/** Pseudonyms of many women, as their keyed hashes give them. */
const many = (n: number, attempt = 0) =>
  Array.from({ length: n }, (_, i) => pseudonymFor(sealer.hash(`U${i}`), attempt));

describe("the pseudonym a counsellor sees", () => {
  it("is a kanji word, a hiragana word and six letters, the same for her every time", () => {
    const hash = sealer.hash("U123");
    expect(pseudonymFor(hash)).toBe("柿あやめ-U967QC");
    expect(pseudonymFor(hash, 0)).toBe("柿あやめ-U967QC");
    expect(pseudonymFor("0".repeat(64))).toBe("月うぐいす-PWDAX4");
    expect(pseudonymFor("f".repeat(64))).toBe("帆あやめ-BDGVHS");
    for (const pseudonym of many(2000)) expect(pseudonym).toMatch(FORMAT);
  });

  it("gives another one at each further attempt, for when the first is already taken", () => {
    const hash = sealer.hash("U123");
    expect(pseudonymFor(hash, 1)).toBe("浅葱ちどり-94CZE8");
    expect(pseudonymFor(hash, 2)).toBe("夕あやめ-5QSWG3");
    const first = many(500);
    const second = many(500, 1);
    expect(second.filter((p, i) => p === first[i])).toEqual([]);
    for (const pseudonym of second) expect(pseudonym).toMatch(FORMAT);
  });

  it("is one of more than 10¹², so two women rarely get the same one", () => {
    expect(PSEUDONYM_COUNT).toBe(2 ** 41);
    expect(PSEUDONYM_COUNT).toBeGreaterThan(1e12);
    for (const list of [FIRST_WORDS, SECOND_WORDS, [...CODE_ALPHABET]]) {
      expect(new Set(list).size).toBe(list.length);
      // A power of two: the hash's bits pick each item equally often.
      expect(Math.log2(list.length) % 1).toBe(0);
    }
  });

  it("uses every word and every letter in every place", () => {
    const parts = many(20_000).map((p) => FORMAT.exec(p) ?? []);
    expect(new Set(parts.map((m) => m[1])).size).toBe(FIRST_WORDS.length);
    expect(new Set(parts.map((m) => m[2])).size).toBe(SECOND_WORDS.length);
    for (let place = 0; place < 6; place++) {
      expect(new Set(parts.map((m) => m[3]?.[place])).size).toBe(CODE_ALPHABET.length);
    }
  });

  it("tells two women waiting at once apart at a glance: every first word starts its own way", () => {
    expect(new Set(FIRST_WORDS.map((w) => w[0])).size).toBe(FIRST_WORDS.length);
    expect(FIRST_WORDS.length).toBeGreaterThanOrEqual(64);
  });

  it("fits a row of the console's queue: at most 13 characters", () => {
    const longest = (list: readonly string[]) => Math.max(...list.map((w) => w.length));
    expect(longest(FIRST_WORDS) + longest(SECOND_WORDS) + "-".length + 6).toBeLessThanOrEqual(13);
  });

  it("has no letters a counsellor could misread (0, O, 1, I)", () => {
    expect(CODE_ALPHABET).not.toMatch(/[01OI]/);
    expect(many(2000).join("")).not.toMatch(/[01OI]/);
  });
});
