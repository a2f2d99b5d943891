/**
 * The vocabulary of the task list: what a follow-up is (kind) and how it ended (outcome). One
 * place, so the API, the console and the close form never differ. Pure.
 */
export const TASK_KINDS = ["call-back", "visit", "accompany", "other"] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_KIND_LABELS: Record<TaskKind, string> = {
  "call-back": "折り返し連絡",
  visit: "訪問",
  accompany: "同行",
  other: "その他",
};

export const TASK_OUTCOMES = ["done", "not-reached", "declined", "not-needed"] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

export const TASK_OUTCOME_LABELS: Record<TaskOutcome, string> = {
  done: "実施した",
  "not-reached": "連絡がつかなかった",
  declined: "本人が希望しなかった",
  "not-needed": "不要になった",
};

/** The consultation's follow-up code (conversation.followUps, counted by the report) of a kind. */
export const FOLLOW_UP_OF_KIND: Record<TaskKind, string | null> = {
  "call-back": "phone",
  visit: "visit",
  accompany: "accompany",
  other: null,
};

/**
 * The channel of the consultation a task of this kind records when it is closed as done: a 訪問
 * is an outreach consultation, a 同行 an accompaniment (src/stats/COUNTING.md). Others record none.
 */
export const CHANNEL_OF_DONE_KIND: Record<TaskKind, "outreach" | "accompany" | null> = {
  "call-back": null,
  visit: "outreach",
  accompany: "accompany",
  other: null,
};

/** Kinds with an appointment (the due day, and a time when known). */
export const APPOINTMENT_KINDS: readonly TaskKind[] = ["visit", "accompany"];

const JST_OFFSET_MS = 9 * 3600_000;

/** The calendar day in Tokyo at `at`, as YYYY-MM-DD. */
export function tokyoDay(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The moment of a Tokyo day and time (YYYY-MM-DD, HH:MM). */
export function tokyoMoment(day: string, time: string): Date {
  return new Date(`${day}T${time}:00+09:00`);
}
