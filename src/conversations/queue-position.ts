import type { Conversation, Tx } from "../db/prisma-client";

/** Waiting conversations of her region that a counsellor will take before hers. */
export async function peopleAhead(tx: Tx, c: Conversation): Promise<number> {
  const since = c.waitingSince ?? new Date();
  return tx.conversation.count({
    where: {
      status: "waiting",
      regionId: c.regionId,
      id: { not: c.id },
      OR:
        c.riskLevel === "high"
          ? [{ riskLevel: "high", waitingSince: { lt: since } }]
          : [{ riskLevel: "high" }, { waitingSince: { lt: since } }],
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
