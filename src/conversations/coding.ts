/**
 * The vocabulary a counsellor codes a consultation with, shared by the console (forms, checks)
 * and the statistics (labels in the report and the CSV). One place, so a label never differs.
 */
export const FOLLOW_UPS = ["visit", "accompany", "office", "phone"] as const;
export const RISK_LEVELS = ["none", "low", "medium", "high"] as const;

export const TOPIC_LABELS: Record<string, string> = {
  dv: "パートナー・家族（DV）",
  poverty: "お金・住まい・食べもの",
  work: "仕事",
  mental: "こころ・さみしさ",
  other: "その他",
};

export const FOLLOW_UP_LABELS: Record<string, string> = {
  visit: "訪問",
  accompany: "同行",
  office: "来所",
  phone: "電話",
};

export const RISK_LABELS: Record<string, string> = {
  none: "なし",
  low: "低",
  medium: "中",
  high: "高",
};
