import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import { CANNED_REPLY_PLACEHOLDERS, placeholdersIn, renderCannedReply } from "../flows/flow-text";
import type { Preset } from "../flows/flow-types";
import { lockScreenProblem } from "../flows/shared-phone";

/** A counsellor keeps this many of her own: a list to pick from, not a notebook. */
export const OWN_CANNED_REPLIES_MAX = 50;
/** One canned reply, at most (a reply is 5,000; a canned one is a start she adds to). */
export const CANNED_REPLY_MAX_CHARS = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CannedReplyItem {
  /** `preset-<n>` for the preset's, the row's id for her own. */
  id: string;
  source: "preset" | "own";
  /** As written, with {{counsellorName}}: what her edit form shows. */
  text: string;
  /** As she will read it: the counsellor's display name filled in (the flows' placeholder code). */
  rendered: string;
}

/**
 * Canned replies: the preset's (checked by flows:check) and each counsellor's own, which only she
 * sees and changes (another's is not found). Her own are held to the preset's rules: the first
 * line safe on a lock screen (422 UNSAFE_FIRST_LINE with the word), only {{counsellorName}}.
 */
export function createCannedReplyService(deps: { prisma: PrismaClient; preset: Preset }) {
  const { prisma, preset } = deps;

  function check(text: string): void {
    const word = lockScreenProblem(text);
    if (word !== undefined) {
      throw new AppError(
        "UNSAFE_FIRST_LINE",
        "The first line shows on her lock screen and names something sensitive",
        422,
        [word],
      );
    }
    const known: readonly string[] = CANNED_REPLY_PLACEHOLDERS;
    const unknown = placeholdersIn(text).filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new AppError(
        "UNKNOWN_PLACEHOLDER",
        "Only {{counsellorName}} can be filled in",
        400,
        unknown.map((name) => `{{${name}}}`),
      );
    }
  }

  async function own(user: { id: string }, id: string) {
    // The preset's (preset-0 …) are not hers to change, and are not found as hers.
    if (!UUID.test(id)) throw new AppError("NOT_FOUND", "No such canned reply", 404);
    const row = await prisma.cannedReply.findFirst({ where: { id, counsellorId: user.id } });
    if (!row) throw new AppError("NOT_FOUND", "No such canned reply", 404);
    return row;
  }

  const item = (
    user: { displayName: string },
    id: string,
    source: "preset" | "own",
    text: string,
  ): CannedReplyItem => ({
    id,
    source,
    text,
    rendered: renderCannedReply(text, { counsellorName: user.displayName }),
  });

  return {
    /** The preset's first (in the preset's order), then her own, newest first. */
    async list(user: { id: string; displayName: string }): Promise<CannedReplyItem[]> {
      const rows = await prisma.cannedReply.findMany({
        where: { counsellorId: user.id },
        orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
      });
      return [
        ...preset.cannedReplies.map((text, i) => item(user, `preset-${i}`, "preset", text)),
        ...rows.map((r) => item(user, r.id, "own", r.text)),
      ];
    },

    async create(user: { id: string; displayName: string }, text: string, at: Date) {
      check(text);
      const count = await prisma.cannedReply.count({ where: { counsellorId: user.id } });
      if (count >= OWN_CANNED_REPLIES_MAX) {
        throw new AppError(
          "CANNED_REPLY_LIMIT",
          `At most ${OWN_CANNED_REPLIES_MAX} canned replies of your own`,
          409,
        );
      }
      const row = await prisma.cannedReply.create({
        data: { counsellorId: user.id, text, createdAt: at, updatedAt: at },
      });
      return item(user, row.id, "own", row.text);
    },

    async update(user: { id: string; displayName: string }, id: string, text: string, at: Date) {
      await own(user, id);
      check(text);
      const row = await prisma.cannedReply.update({ where: { id }, data: { text, updatedAt: at } });
      return item(user, row.id, "own", row.text);
    },

    async remove(user: { id: string }, id: string): Promise<void> {
      await own(user, id);
      await prisma.cannedReply.delete({ where: { id } });
    },
  };
}

export type CannedReplyService = ReturnType<typeof createCannedReplyService>;
