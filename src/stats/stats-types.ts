/** Channels of a consultation. LINE comes from conversations; the others are console entries. */
export const CHANNELS = ["line", "phone", "email", "visit", "outreach", "accompany"] as const;
export type Channel = (typeof CHANNELS)[number];
export const ENTRY_CHANNELS = ["phone", "email", "visit", "outreach", "accompany"] as const;

export const AGE_BANDS = ["10s", "20s", "30s", "40s", "50s", "60plus"] as const;
export {
  FOLLOW_UPS,
  FOLLOW_UP_LABELS,
  RISK_LABELS,
  RISK_LEVELS,
  TOPIC_LABELS,
} from "../conversations/coding";

/** The triage answer the flows would store the DV-window awareness question under. */
export const AWARENESS_FIELD = "answers.awareness";

export const CHANNEL_LABELS: Record<Channel, string> = {
  line: "LINE",
  phone: "電話",
  email: "メール",
  visit: "来所・面接",
  outreach: "訪問",
  accompany: "同行",
};

export const AGE_LABELS: Record<string, string> = {
  "10s": "10代",
  "20s": "20代",
  "30s": "30代",
  "40s": "40代",
  "50s": "50代",
  "60plus": "60代以上",
};

/** Narrows a report; every field optional. `region` is forced for region-bound users. */
export interface StatsFilter {
  region?: string | undefined;
  channel?: Channel | undefined;
  topic?: string | undefined;
  ageBand?: string | undefined;
}

/**
 * Why a counsellor links a manual entry to a woman's file (her LINE person or her case number):
 * a fixed list, so the audit keeps a code and never a sentence about her.
 */
export const LINK_REASONS = ["she-said", "same-contact", "staff-recognised", "handover"] as const;
export type LinkReason = (typeof LINK_REASONS)[number];
export const LINK_REASON_LABELS: Record<LinkReason, string> = {
  "she-said": "本人が同じ人だと伝えた",
  "same-contact": "同じ連絡先からの相談",
  "staff-recognised": "担当者が本人と確認した",
  handover: "関係機関からの引き継ぎ",
};

/** Why a link is undone. */
export const UNLINK_REASONS = ["linked-by-mistake", "not-her", "her-wish"] as const;
export type UnlinkReason = (typeof UNLINK_REASONS)[number];
export const UNLINK_REASON_LABELS: Record<UnlinkReason, string> = {
  "linked-by-mistake": "誤って紐付けた",
  "not-her": "別の人だと分かった",
  "her-wish": "本人の希望",
};
