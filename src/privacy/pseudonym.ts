import { createHash } from "node:crypto";

/**
 * The first word: a colour or a piece of nature, in kanji. Each starts with a character no
 * other one starts with, and kanji that look alike at a glance (雪 雲 霞 露 霧, 朝 潮) are not
 * both in, so two women waiting at once are told apart by it alone, almost always (1 in 64
 * share it). No word reads as a place of a preset (藤岡, 光市, 萩市…), a body, a trait of
 * hers or a judgement.
 */
// prettier-ignore
export const FIRST_WORDS = [
  "藍", "茜", "山吹", "若草", "萌黄", "浅葱", "群青", "紅",
  "瑠璃", "翡翠", "琥珀", "珊瑚", "空色", "紺", "朱", "橙",
  "桜", "栗", "銀", "水色", "柿", "蜜柑", "抹茶", "虹",
  "雪", "月", "星", "風", "雲", "凪", "朝", "春",
  "夏", "秋", "冬", "海", "湖", "岬", "波", "暁",
  "晴", "丘", "峰", "渚", "灯", "鈴", "笹", "稲穂",
  "麦", "真珠", "蛍", "夕", "雫", "木陰", "花", "杏",
  "苺", "桃", "梅", "琴", "貝", "青葉", "羽", "帆",
] as const;

/**
 * The second word: a flower, a tree or a bird, in hiragana, so the eye sees where the first
 * word ends. None sounds like something else that hurts (ふよう 不要, ろうばい 狼狽, こぶし 拳)
 * or stands for a couple (おしどり).
 */
// prettier-ignore
export const SECOND_WORDS = [
  "あじさい", "あやめ", "うぐいす", "かえで", "かもめ", "ききょう", "くすのき", "けやき",
  "こまどり", "さざんか", "しらさぎ", "すいせん", "すずめ", "すみれ", "せきれい", "たんぽぽ",
  "ちどり", "つばき", "なでしこ", "のぎく", "はこべ", "ひばり", "ひなぎく", "ほおずき",
  "みもざ", "むくげ", "めじろ", "もくれん", "よもぎ", "りんどう", "れんげ", "ゆり",
] as const;

/** The code's letters: no 0, O, 1 or I for a counsellor to misread. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export const CODE_LENGTH = 6;
const CODE_LETTERS = [...CODE_ALPHABET];

/** How many different pseudonyms there are: 64 × 32 × 32⁶ = 2⁴¹ ≈ 2.2 × 10¹². */
export const PSEUDONYM_COUNT =
  FIRST_WORDS.length * SECOND_WORDS.length * CODE_ALPHABET.length ** CODE_LENGTH;

/**
 * The pseudonym counsellors see (e.g. "凪すみれ-7KQ2XM"), derived from the person's keyed hash.
 * `attempt` gives the next one when an earlier derivation is someone else's already: each is
 * as unpredictable as the first, and none tells anything about her.
 */
export function pseudonymFor(personHash: string, attempt = 0): string {
  const digest = createHash("sha256").update(`${personHash}:${attempt}`).digest();
  // 48 bits; every list's length is a power of two, so each pick is uniform.
  let bits = digest.readUIntBE(0, 6);
  const pick = (list: readonly string[]): string => {
    const index = bits % list.length;
    bits = Math.floor(bits / list.length);
    // Stryker disable next-line StringLiteral: equivalent, because the index is always within the list; the fallback only satisfies noUncheckedIndexedAccess.
    return list[index] ?? "";
  };
  const first = pick(FIRST_WORDS);
  const second = pick(SECOND_WORDS);
  const code = Array.from({ length: CODE_LENGTH }, () => pick(CODE_LETTERS)).join("");
  return `${first}${second}-${code}`;
}
