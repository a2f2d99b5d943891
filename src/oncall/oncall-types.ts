import type { OnCallNotification } from "../db/prisma-client";
import type { OnCallKind } from "../jobs/job-catalog";

export { ON_CALL_KINDS, type OnCallKind } from "../jobs/job-catalog";

/** A notification not acknowledged for this long is reminded (webhook, and the next person). */
export const REMINDER_AFTER_MINUTES = 10;

/** The webhook and the mail are retried for this long after the notification, then given up. */
export const GIVE_UP_AFTER_MS = 3600_000;

/** The statuses in which nobody has her yet: the bot's triage, or the queue. */
export const NEEDS_SOMEONE = ["bot", "waiting"] as const;

/** An on-call timer the sweep found due; `fire` checks it again under the row lock. */
export interface DueOnCall {
  kind: OnCallKind;
  conversationId: string;
  /** The ten minutes it was found due in: the job's identity, not a condition. */
  dueAt: Date;
}

/** A stored notification's facts: what the webhook, the mail and the console say of it. */
export type NotificationFacts = Pick<
  OnCallNotification,
  "id" | "kind" | "conversationId" | "regionId" | "riskCategories" | "createdAt"
>;

/** What a notification says, exactly the webhook's fields (ids and codes only). */
export interface OnCallPayload {
  id: string;
  kind: OnCallKind;
  conversationId: string;
  regionId: string | null;
  riskCategories: string[];
  /** ISO 8601, UTC. */
  at: string;
  consoleUrl?: string;
}

/** How a send went: done (sent, or nothing to send), to be retried, or given up. */
export type SendOutcome = "done" | "retry" | "given-up";
