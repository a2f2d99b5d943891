import { z } from "zod";
import { ON_CALL_KINDS } from "./oncall-types";

/** Request and response schemas of the on-call API (validated, typed, and in /api/openapi.json). */
const id = z.uuid();
const iso = z.iso.datetime({ offset: true });
const region = z.string().min(1).max(50);

/** A shift may be at most this long: a roster is planned in days and weeks, not forever. */
export const MAX_SHIFT_DAYS = 31;

export const shiftSchema = z.object({
  id,
  counsellor: z.object({ id, displayName: z.string(), loginName: z.string() }),
  /** null: every region. */
  regionId: z.string().nullable(),
  startsAt: iso,
  endsAt: iso,
  /** 1 is called first; a reminder goes to the next. */
  priority: z.number().int(),
  /** Whether the caller may remove it (a region's supervisor: her or his region's shifts). */
  editable: z.boolean(),
});

export const shiftInputSchema = z
  .object({
    counsellorId: id,
    regionId: region.nullable(),
    startsAt: iso,
    endsAt: iso,
    priority: z.number().int().min(1).max(9),
  })
  .refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), {
    message: "endsAt must be after startsAt",
    path: ["endsAt"],
  })
  .refine((s) => Date.parse(s.endsAt) - Date.parse(s.startsAt) <= MAX_SHIFT_DAYS * 86_400_000, {
    message: `a shift is at most ${MAX_SHIFT_DAYS} days`,
    path: ["endsAt"],
  });

export const shiftQuerySchema = z.object({
  /** Shifts that end after this (default: now). */
  from: iso.optional(),
  /** Shifts that start before this (default: 31 days after `from`). */
  to: iso.optional(),
});

export const onCallPersonSchema = z.object({
  id,
  displayName: z.string(),
  loginName: z.string(),
  role: z.enum(["supervisor", "admin"]),
  regionId: z.string().nullable(),
  email: z.string().nullable(),
});

export const emailInputSchema = z.object({
  email: z.email("an e-mail address").max(200).nullable(),
});

export const notificationSchema = z.object({
  id,
  kind: z.enum(ON_CALL_KINDS),
  conversationId: id,
  regionId: z.string().nullable(),
  riskCategories: z.array(z.string()),
  at: iso,
  /** Display name of the person e-mailed, if anyone was. */
  mailedTo: z.string().nullable(),
  mailSent: z.boolean(),
  webhookSent: z.boolean(),
  gaveUp: z.boolean(),
  acknowledgedAt: iso.nullable(),
  acknowledgedBy: z.string().nullable(),
});
