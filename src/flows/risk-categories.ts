/**
 * The risk categories the service knows. A preset's lexicon, its flow's answers and its hotlines
 * name categories by these ids, and `flows:check` refuses any other id, so that a word caught
 * in the lexicon always finds help that fits it (see risk-help.ts).
 */
export const RISK_CATEGORIES = [
  "suicide",
  "self-harm",
  "violence-now",
  "abuser-nearby",
  "stalking",
  "child-danger",
  "sexual-violence",
  "image-threat",
  "injury",
  "urgent-needs",
] as const;

export type KnownRiskCategory = (typeof RISK_CATEGORIES)[number];

export function isKnownRiskCategory(id: string): id is KnownRiskCategory {
  return (RISK_CATEGORIES as readonly string[]).includes(id);
}
