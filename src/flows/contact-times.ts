/**
 * When it is safe to contact her. On a shared or watched phone a message that arrives while the
 * person is home can put her at risk, so she may choose a band of the day (Japan time); a
 * message pushed to her (not the answer to a message she has just written) waits for it.
 *
 * How she says it: she writes 「連絡してよい時間」 (or 「連絡していい時間」「連絡できる時間」) at any
 * point, with the bot, while she waits or during a counsellor's chat, and taps one of the bands
 * offered as quick-reply buttons; 「いつでも大丈夫」 lifts it. Pure: the engine asks and records
 * (`setContactTimes`), the worker stores it on her record and times the pushes.
 */
import { encodePostback } from "./flow-postback";
import type { LineMessage } from "./flow-types";
import { normalizeText } from "./text-normalize";

const JST_OFFSET_MS = 9 * 3600_000;
const DAY_MS = 24 * 3600_000;

export interface ContactBand {
  id: string;
  /** Her button, and how the console shows it. */
  label: string;
  /** Minutes after midnight, Japan time: from `start` (inclusive) to `end` (exclusive). */
  start: number;
  end: number;
}

export const CONTACT_BANDS: readonly ContactBand[] = [
  { id: "9-12", label: "9時〜12時", start: 9 * 60, end: 12 * 60 },
  { id: "12-17", label: "12時〜17時", start: 12 * 60, end: 17 * 60 },
  { id: "17-19", label: "17時〜19時", start: 17 * 60, end: 19 * 60 },
  { id: "19-21", label: "19時〜21時", start: 19 * 60, end: 21 * 60 },
  { id: "21-23", label: "21時〜23時", start: 21 * 60, end: 23 * 60 },
];

/** The button that lifts the limit (pushes at any time again). */
export const ANY_TIME = { id: "any", label: "いつでも大丈夫" } as const;

/** What she writes to choose her contact times. */
export const CONTACT_TIME_WORDS = ["連絡してよい時間", "連絡していい時間", "連絡できる時間"];
/** A few more characters are allowed around the word (「連絡してよい時間を決めたい」), not a story. */
const EXTRA_CHARS = 8;

export function contactBand(id: string | null | undefined): ContactBand | undefined {
  return CONTACT_BANDS.find((b) => b.id === id);
}

/** Whether her message asks to choose the times when she may be contacted. */
export function asksForContactTimes(text: string): boolean {
  const normalized = normalizeText(text);
  return CONTACT_TIME_WORDS.some((w) => {
    const word = normalizeText(w);
    return normalized.includes(word) && normalized.length <= word.length + EXTRA_CHARS;
  });
}

/** The question, with one button per band. First line safe on a lock screen. */
export function contactTimesQuestion(): LineMessage {
  const items = [...CONTACT_BANDS, ANY_TIME].map((b) => ({
    type: "action" as const,
    action: {
      type: "postback" as const,
      label: b.label,
      data: encodePostback({ action: "contact-times", bandId: b.id }),
      displayText: b.label,
    },
  }));
  return {
    type: "text",
    text:
      "こちらからメッセージを送ってよい時間を選んでください。\n" +
      "その時間の外には、こちらからはお送りしません（あなたがメッセージを送ったときの返事は、すぐに届きます）。",
    quickReply: { items },
  };
}

/** What she is told once she has chosen. */
export function contactTimesConfirmation(bandId: string | null): LineMessage {
  const band = contactBand(bandId);
  return {
    type: "text",
    text: band
      ? `わかりました。こちらからは${band.label}のあいだにお送りします。\n変えるときは「連絡してよい時間」と送ってください。`
      : "わかりました。時間を決めずにお送りします。\n変えるときは「連絡してよい時間」と送ってください。",
  };
}

/**
 * When a message pushed to her at `now` may go: null when at once (no band, or inside it),
 * else the start of the band's next window.
 */
export function contactWindowOpensAt(bandId: string | null | undefined, now: Date): Date | null {
  const band = contactBand(bandId);
  if (!band) return null;
  const local = now.getTime() + JST_OFFSET_MS;
  const midnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  const minute = Math.floor((local - midnight) / 60_000);
  if (minute >= band.start && minute < band.end) return null;
  // Stryker disable next-line EqualityOperator: equivalent for < → <=, because at minute === band.start the window is open and the line above has already returned; the >= variant is caught by the tests
  const day = minute < band.start ? midnight : midnight + DAY_MS;
  return new Date(day + band.start * 60_000 - JST_OFFSET_MS);
}
