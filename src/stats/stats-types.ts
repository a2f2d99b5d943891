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
