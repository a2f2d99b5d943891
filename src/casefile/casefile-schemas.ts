import { z } from "zod";
import { referralSchema } from "../partners/partner-schemas";
import { taskSchema } from "../tasks/task-schemas";

const labelled = z.array(z.object({ value: z.string(), label: z.string() }));

const common = {
  id: z.uuid(),
  /** When: a consultation's start, a task's appointment (or due day, 00:00 Tokyo). */
  at: z.iso.datetime(),
  regionId: z.string().nullable(),
  regionName: z.string(),
};

/** One line of her timeline: a LINE conversation, a manual entry, a task or a referral. */
export const caseItemSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("conversation"),
    ...common,
    status: z.string(),
    /** A counsellor answered: a consultation (COUNTING.md). */
    answered: z.boolean(),
    topics: z.array(z.string()),
  }),
  z.object({
    type: z.literal("entry"),
    ...common,
    channel: z.string(),
    channelLabel: z.string(),
    topics: z.array(z.string()),
    /** How it is hers: her LINE pseudonym, her case number, or nothing (its own person). */
    linkedBy: z.enum(["pseudonym", "case-number"]).nullable(),
    /** The signed-in user may link or unlink it (its author, or a supervisor/admin). */
    editable: z.boolean(),
    /** Recorded by closing a 訪問 or 同行 task as done. */
    fromTaskId: z.uuid().nullable(),
  }),
  z.object({ type: z.literal("task"), ...common, task: taskSchema }),
  /** A referral to a partner made from one of her consultations shown here (at: when made). */
  z.object({ type: z.literal("referral"), ...common, referral: referralSchema }),
]);

export const caseFileSchema = z.object({
  file: z.object({
    /** person: her LINE person; case: a case number of a region; entry: one entry alone. */
    kind: z.enum(["person", "case", "entry"]),
    pseudonym: z.string().nullable(),
    regionId: z.string().nullable(),
    caseRef: z.string().nullable(),
    entryId: z.uuid().nullable(),
  }),
  /** Newest first; only what the user's region reaches (src/casefile/README.md). */
  items: z.array(caseItemSchema),
  /**
   * Her consultations (LINE and entries) in regions the user does not reach: how many, nothing
   * else (another region's counsellors wrote them for their own eyes). 0 for all-region users.
   */
  elsewhere: z.number(),
  /** The region the user sees (null: every region). */
  scopeRegion: z.string().nullable(),
  linkReasons: labelled,
  unlinkReasons: labelled,
  /** Partners a 同行 may go to (the directory, not archived). */
  partners: z.array(z.object({ id: z.uuid(), name: z.string() })),
});
export type CaseFile = z.infer<typeof caseFileSchema>;
export type CaseItem = z.infer<typeof caseItemSchema>;
