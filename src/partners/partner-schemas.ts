import { z } from "zod";
import { PARTNER_KINDS } from "../flows/flow-types";
import { CONSENTS, REFERRAL_OUTCOMES } from "./partner-types";

const text = (max: number) => z.string().trim().max(max);
/** Optional text: absent keeps it, null or "" clears it. */
const optionalText = (max: number) => text(max).nullable().optional();

/** A phone number as she would dial it: digits, #, +, -, spaces and brackets (e.g. #8891). */
const phone = z
  .string()
  .trim()
  .regex(/^$|^[0-9#+()\- ]{2,24}$/, "digits, #, +, - only")
  .nullable()
  .optional();

export const partnerInputSchema = z.strictObject({
  name: text(100).min(1),
  kind: z.enum(PARTNER_KINDS),
  /** Region ids, or ["all"]. */
  regions: z.array(z.string().min(1).max(50)).min(1).max(50),
  /** Topic codes (dv, poverty, work, mental, other). */
  topics: z.array(z.string().min(1).max(50)).max(20).default([]),
  phone,
  hours: optionalText(200),
  address: optionalText(200),
  howToRefer: optionalText(500),
  toConfirm: z.boolean().default(false),
});

export const partnerPatchSchema = z.strictObject({
  name: text(100).min(1).optional(),
  kind: z.enum(PARTNER_KINDS).optional(),
  regions: z.array(z.string().min(1).max(50)).min(1).max(50).optional(),
  topics: z.array(z.string().min(1).max(50)).max(20).optional(),
  phone,
  hours: optionalText(200),
  address: optionalText(200),
  howToRefer: optionalText(500),
  toConfirm: z.boolean().optional(),
});

export const partnerQuerySchema = z.object({
  archived: z.enum(["true", "false"]).default("false"),
});

export const partnerSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(PARTNER_KINDS),
  regions: z.array(z.string()),
  topics: z.array(z.string()),
  phone: z.string().optional(),
  hours: z.string().optional(),
  address: z.string().optional(),
  howToRefer: z.string().optional(),
  toConfirm: z.boolean(),
  archived: z.boolean(),
  fromPreset: z.boolean(),
  /** The signed-in admin may change it. */
  editable: z.boolean(),
});

/** A day, YYYY-MM-DD, that exists. */
const day = z.iso.date();

export const referralInputSchema = z.strictObject({
  partnerId: z.uuid(),
  consent: z.enum(CONSENTS),
  followUpOn: day.optional(),
});

export const referralOutcomeSchema = z.strictObject({
  outcome: z.enum(REFERRAL_OUTCOMES),
  followUpOn: day.optional(),
});

export const referralSchema = z.object({
  id: z.uuid(),
  conversationId: z.uuid().nullable(),
  entryId: z.uuid().nullable(),
  regionId: z.string(),
  partner: z.object({ id: z.uuid(), name: z.string(), archived: z.boolean() }),
  consent: z.enum(CONSENTS),
  outcome: z.enum(REFERRAL_OUTCOMES),
  followUpOn: z.string().nullable(),
  followUpTaskId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  createdByName: z.string(),
  outcomeAt: z.iso.datetime().nullable(),
});
