/**
 * What closing a consultation decides beyond the coding: why it ended, how long the counsellor's
 * chat lasted, and whether her last message is left unanswered. Pure.
 */
export const CLOSE_REASONS = [
  "resolved",
  "referred",
  "follow-up",
  "she-left",
  "no-reply",
  "other",
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export const CLOSE_REASON_LABELS: Record<CloseReason, string> = {
  resolved: "話を聞き、ひと区切りついた",
  referred: "紹介先につないだ",
  "follow-up": "後日あらためて対応する",
  "she-left": "本人が終了を希望した",
  "no-reply": "本人から返事がなくなった",
  other: "その他",
};

/** The summary is a short record, not a transcript. */
export const SUMMARY_MAX_CHARS = 400;

/**
 * The counsellor's chat in whole minutes: from the first counsellor answer to `end` (0 when she
 * was never answered by a counsellor).
 */
export function chatMinutes(firstResponseAt: Date | null, end: Date): number {
  if (!firstResponseAt) return 0;
  return Math.max(0, Math.round((end.getTime() - firstResponseAt.getTime()) / 60_000));
}

export interface TranscriptEntry {
  direction: "in" | "out";
  author: string;
  kind: string;
  sentAt: Date;
  unsent: boolean;
}

/**
 * Her last message waits for a counsellor: she wrote it once the chat was handed to counsellors
 * (`handedAt`, the conversation's `waitingSince`) and no counsellor answered after it. Before the
 * hand-off the bot answered her; the bot's acknowledgements while she waits are no answer. Her
 * taps answer the bot's questions and unsent messages are gone: neither waits for an answer.
 * Messages in transcript order.
 */
export function lastMessageUnanswered(
  messages: readonly TranscriptEntry[],
  handedAt: Date | null,
): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!m || m.unsent || m.kind === "postback") continue;
    if (m.direction === "in") return handedAt !== null && m.sentAt >= handedAt;
    if (m.author === "counsellor") return false;
  }
  return false;
}
