import type { messagingApi } from "@line/bot-sdk";
import type { Conversation, Person, Tx } from "../db/prisma-client";

type Message = messagingApi.Message;

/** What she did, as the conversation logic sees it (no LINE identifiers). */
export type Inbound =
  | { kind: "follow" }
  | { kind: "text"; text: string }
  | { kind: "postback"; data: string }
  | { kind: "media"; type: string };

/**
 * Decides what the bot answers. The triage flow engine (flows/) replaces the simple
 * acknowledgement below; the event processor only knows this interface.
 */
export interface ConversationResponder {
  respond(tx: Tx, conversation: Conversation, inbound: Inbound): Promise<Message[]>;
}

const OPEN_STATUSES = ["bot", "waiting", "active"] as const;

/** Her open conversation, or a new one (she wrote after the last one closed). */
export async function openConversation(tx: Tx, person: Person, at: Date): Promise<Conversation> {
  const open = await tx.conversation.findFirst({
    where: { personId: person.id, status: { in: [...OPEN_STATUSES] } },
    orderBy: { startedAt: "desc" },
  });
  if (open) {
    return tx.conversation.update({ where: { id: open.id }, data: { lastMessageAt: at } });
  }
  return tx.conversation.create({
    data: { personId: person.id, startedAt: at, lastMessageAt: at },
  });
}

export const GREETING =
  "友だち追加ありがとうございます。\n" +
  "ここは、女性のための相談窓口です。名前を言わなくても、無料で相談できます。\n" +
  "あなたのLINEの名前や写真を、相談員が見ることはありません。\n" +
  "話したいことを、あなたのペースで送ってください。";

export const ACKNOWLEDGEMENT =
  "メッセージを受け取りました。相談員が順番に読んでお返事します。少しお待ちください。";

/** The foundation's responder: a greeting on follow, an acknowledgement otherwise. */
export const acknowledgingResponder: ConversationResponder = {
  respond(_tx, _conversation, inbound) {
    const text = inbound.kind === "follow" ? GREETING : ACKNOWLEDGEMENT;
    return Promise.resolve([{ type: "text", text }]);
  },
};
