/**
 * The vocabulary of partners and referrals: the kinds of agency, her consent to be referred
 * (本人同意) and how a referral turned out. One place, so the API, the console and the report
 * never differ. Pure.
 */
export { PARTNER_KINDS, type PartnerKind } from "../flows/flow-types";
import type { PartnerKind } from "../flows/flow-types";

export const PARTNER_KIND_LABELS: Record<PartnerKind, string> = {
  public: "公的機関",
  npo: "民間団体",
  medical: "医療機関",
  legal: "法律",
  shelter: "シェルター",
  other: "その他",
};

/** Her consent to the referral: given (yes), given aloud only (verbal), refused (no). */
export const CONSENTS = ["yes", "verbal", "no"] as const;
export type Consent = (typeof CONSENTS)[number];

export const CONSENT_LABELS: Record<Consent, string> = {
  yes: "同意あり",
  verbal: "口頭で同意",
  no: "同意なし",
};

/** How the referral turned out; `pending` until someone learns it (未確認). */
export const REFERRAL_OUTCOMES = ["connected", "pending", "declined", "not-reached"] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

export const REFERRAL_OUTCOME_LABELS: Record<ReferralOutcome, string> = {
  connected: "つながった",
  pending: "まだわからない",
  declined: "本人が断った",
  "not-reached": "連絡がつかなかった",
};
