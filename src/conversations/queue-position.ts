import type { Conversation, Prisma, Tx } from "../db/prisma-client";

/** The region whose queue she is in: the one serving her, else her own. */
export function queueRegionOf(c: Pick<Conversation, "regionId" | "servingRegionId">) {
  return c.servingRegionId ?? c.regionId;
}

/**
 * The conversations in a region's queue: its own (unless they joined another region's queue)
 * and those that joined it while their region was closed.
 */
export function inQueueOf(regionId: string | null): Prisma.ConversationWhereInput {
  return {
    OR: [{ regionId, servingRegionId: null }, { servingRegionId: regionId }],
  };
}

/** Waiting conversations of her queue that a counsellor will take before hers. */
export async function peopleAhead(tx: Tx, c: Conversation): Promise<number> {
  const since = c.waitingSince ?? new Date();
  return tx.conversation.count({
    where: {
      status: "waiting",
      id: { not: c.id },
      AND: [
        inQueueOf(queueRegionOf(c)),
        {
          OR:
            c.riskLevel === "high"
              ? [{ riskLevel: "high", waitingSince: { lt: since } }]
              : [{ riskLevel: "high" }, { waitingSince: { lt: since } }],
        },
      ],
    },
  });
}

/** Safe on a lock screen: says nothing about why she wrote. */
export function queuePositionText(ahead: number): string {
  return ahead === 0
    ? "次に、相談員がお返事します。"
    : `いま、あなたの前に${ahead}人が順番を待っています。順番が来たら、相談員がお返事します。`;
}

/** Lock-screen safe: the first line says nothing about why she wrote. */
export function waitAgainText(ahead: number): string {
  const position = ahead === 0 ? "次があなたの番です。" : `あなたの前に${ahead}人お待ちです。`;
  return `お待たせしていてごめんなさい。\n${position}順番にお返事しますので、もう少しだけお待ちください。`;
}
