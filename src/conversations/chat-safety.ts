import type { Conversation, Tx } from "../db/prisma-client";

/**
 * A risk word in a chat already alerted about is not news for this long, unless it brings a
 * category the last alert did not name: the counsellor is in the chat, and a sound at every
 * message of a long, hard conversation would soon be ignored.
 */
export const RISK_ALERT_COOLDOWN_MS = 10 * 60_000;

/** The alert kind of a risk word during a counsellor's chat (supervisors and her counsellor). */
export const RISK_IN_CHAT = "risk-in-chat";

/**
 * Her message during a counsellor's chat holds risk words: her counsellor (a banner and a sound
 * in the conversation) and the supervisors of her region (an alert row) are told, with the
 * categories only, never her words. The bot says nothing to her. Returns whether it alerted.
 *
 * Already alerted within the cool-down with every one of these categories: no new alert.
 */
export async function alertRiskInChat(
  tx: Tx,
  conversation: Conversation,
  categories: readonly string[],
  at: Date,
): Promise<boolean> {
  if (conversation.status !== "active" || categories.length === 0) return false;
  const recent = await tx.supervisorAlert.findMany({
    where: {
      conversationId: conversation.id,
      kind: RISK_IN_CHAT,
      createdAt: { gt: new Date(at.getTime() - RISK_ALERT_COOLDOWN_MS) },
    },
    select: { riskCategories: true },
  });
  const alerted = new Set(recent.flatMap((a) => a.riskCategories));
  if (categories.every((c) => alerted.has(c))) return false;
  await tx.supervisorAlert.create({
    data: {
      conversationId: conversation.id,
      regionId: conversation.regionId,
      kind: RISK_IN_CHAT,
      riskCategories: [...new Set(categories)],
      createdAt: at,
    },
  });
  return true;
}
