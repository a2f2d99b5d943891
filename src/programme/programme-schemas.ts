import { z } from "zod";
import { ATTENDEE_CONSENTS } from "./programme-types";

const day = z.iso.date();
const region = z.string().min(1).max(50);
/** What a woman reads when the bot shows the gathering: one line, no more than a LINE line needs. */
const shortText = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((t) => !/[\r\n]/.test(t), "one line");

export const gatheringInputSchema = z.object({
  regionId: region.optional(),
  startsAt: z.iso.datetime({ offset: true }),
  place: shortText,
  theme: shortText,
});

export const gatheringChangeSchema = z
  .object({
    startsAt: z.iso.datetime({ offset: true }).optional(),
    place: shortText.optional(),
    theme: shortText.optional(),
    /** Everyone who came, linked or not: 0 or more. */
    headCount: z.number().int().min(0).max(10_000).optional(),
    cancelled: z.literal(true).optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), "nothing to change");

export const attendeeInputSchema = z.object({
  pseudonym: z.string().trim().min(1).max(50),
  /** Her consent to be linked, as recorded: without it she is counted in the head count only. */
  consent: z.enum(ATTENDEE_CONSENTS),
});

export const gatheringQuerySchema = z.object({
  when: z.enum(["upcoming", "past"]).default("upcoming"),
});

export const gatheringSchema = z.object({
  id: z.uuid(),
  regionId: z.string(),
  regionName: z.string(),
  startsAt: z.iso.datetime(),
  place: z.string(),
  theme: z.string(),
  headCount: z.number().int().nullable(),
  cancelled: z.boolean(),
  attendees: z.array(
    z.object({ personId: z.uuid(), pseudonym: z.string(), consent: z.enum(ATTENDEE_CONSENTS) }),
  ),
  /** Packs of sanitary products handed out at it. */
  productsHandedOut: z.number().int(),
});

const quantity = z.number().int().min(1).max(10_000);

/** Handed out at a pickup point (the preset's) of the region. */
export const handoutInputSchema = z.object({
  regionId: region.optional(),
  handedOn: day,
  pickupPointId: z.string().min(1).max(50),
  quantity,
});

/** Handed out at a gathering (its region). */
export const gatheringHandoutInputSchema = z.object({ handedOn: day, quantity });

export const handoutQuerySchema = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "YYYY-MM"),
});

export const handoutSchema = z.object({
  id: z.uuid(),
  regionId: z.string(),
  regionName: z.string(),
  handedOn: z.string(),
  /** Where: the pickup point's name, or the gathering's day and place. */
  place: z.object({
    kind: z.enum(["pickup-point", "gathering"]),
    id: z.string(),
    label: z.string(),
  }),
  quantity: z.number().int(),
  recordedByName: z.string(),
});

export const pickupPointSchema = z.object({
  id: z.string(),
  regionId: z.string(),
  name: z.string(),
  address: z.string(),
  hours: z.string(),
  howToAsk: z.string(),
  toConfirm: z.boolean(),
});
