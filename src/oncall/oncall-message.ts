/**
 * What the on-call people receive, built from ids and codes only: never her words, her LINE id,
 * her pseudonym or anything else that ties the conversation to a person. Pure.
 */
import { createHmac } from "node:crypto";
import type { NotificationFacts, OnCallKind, OnCallPayload } from "./oncall-types";

/** The console page where notifications are listed and acknowledged. */
export function consoleUrlOf(publicBaseUrl: string | undefined): string | undefined {
  return publicBaseUrl ? `${publicBaseUrl}/console/#/oncall` : undefined;
}

export function payloadOf(n: NotificationFacts, publicBaseUrl: string | undefined): OnCallPayload {
  const consoleUrl = consoleUrlOf(publicBaseUrl);
  return {
    id: n.id,
    kind: n.kind as OnCallKind,
    conversationId: n.conversationId,
    regionId: n.regionId,
    riskCategories: n.riskCategories,
    at: n.createdAt.toISOString(),
    ...(consoleUrl ? { consoleUrl } : {}),
  };
}

/** The header x-signature: base64 HMAC-SHA256 of the raw body with the shared secret. */
export function signatureOf(rawBody: string, secret: string): string {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

const KIND_TEXT: Record<OnCallKind, string> = {
  "high-risk-out-of-hours": "受付時間外に、高リスクの相談が届いています。",
  "high-risk-waiting": "高リスクの相談が、対応する人のいないまま待っています。",
  reminder: "再通知: 高リスクの相談の通知が、10分たっても確認されていません。",
};

const tokyo = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  dateStyle: "medium",
  timeStyle: "short",
});

/**
 * The e-mail to the on-call person: that a high-risk conversation needs someone, the region,
 * the kind, the time and the console link. Nothing she wrote and nothing that names her.
 */
export function mailOf(
  p: OnCallPayload,
  regionName: string,
  serviceName: string,
): { subject: string; text: string } {
  const subject = `[${serviceName}] 当番への通知: 対応が必要な相談があります（${regionName}）`;
  const text = [
    KIND_TEXT[p.kind],
    "",
    `地域: ${regionName}`,
    `時刻: ${tokyo.format(new Date(p.at))}（日本時間）`,
    `種類: ${p.kind}`,
    "",
    p.consoleUrl
      ? `相談員コンソールで確認し、「確認しました」を押してください:\n${p.consoleUrl}`
      : "相談員コンソールの「当番」で確認し、「確認しました」を押してください。",
    "",
    "このメールには、相談の内容や相談者がわかる情報は入っていません。",
    `通知ID: ${p.id}`,
  ].join("\n");
  return { subject, text };
}
