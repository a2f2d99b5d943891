/**
 * Her phone may be read by the person she is afraid of. Two rules every message to her follows,
 * in one place so the bot, the console and `flows:check` apply the same ones:
 * - the first line of a message is what a lock screen shows: it never names what she consults
 *   about (`lockScreenProblem`);
 * - once she has said the person is near, the bot says as little as it can (`personNear`).
 */
import type { Triage } from "./flow-types";
import { normalizeText } from "./text-normalize";

/** The risk category a flow's answer or her words set when the person is beside her. */
export const PERSON_NEAR_CATEGORY = "abuser-nearby";

/** Whether she has said (in words or by a button) that the person is near her now. */
export function personNear(triage: Triage): boolean {
  return triage.risk.categories.includes(PERSON_NEAR_CATEGORY);
}

/**
 * Words that must not be in a first line: they tell whoever glances at her lock screen what she
 * is consulting about. Matched after the usual normalisation (script, width, spacing), so
 * 「ＤＶ」「ぼうりょく」 count as 「DV」「暴力」; a preset may add its own.
 */
export const LOCK_SCREEN_WORDS = [
  "DV",
  "暴力",
  "ぼうりょく",
  "虐待",
  "ぎゃくたい",
  "死",
  "自殺",
  "じさつ",
  "自傷",
  "性暴力",
  "性被害",
  "レイプ",
  "強制性交",
  "ストーカー",
  "シェルター",
  "避難",
  "警察",
  "110番",
  "いのちの電話",
  "児童相談所",
  "相談窓口",
  "ホットライン",
  "加害",
  "被害",
  "離婚",
  "逃げ",
] as const;

/** The first line of a text: what a notification preview shows. */
export function firstLine(text: string): string {
  // Stryker disable next-line StringLiteral: equivalent, because split always returns one string at least; ?? only satisfies the type
  return text.split(/\r?\n/, 1)[0] ?? "";
}

/**
 * The word that makes `text`'s first line unsafe on a lock screen, or undefined when it is safe.
 * `extra`: the preset's own words, added to the built-in ones.
 */
export function lockScreenProblem(text: string, ...extra: string[]): string | undefined {
  const line = normalizeText(firstLine(text));
  return [...LOCK_SCREEN_WORDS, ...extra].find((word) => line.includes(normalizeText(word)));
}
