import type { Partner } from "./flow-types";

/** What the report counts for an agency a counsellor typed rather than picked from the cards. */
export const OTHER_REFERRAL = "その他";

/**
 * The referrals of a closing consultation, as the report counts them and as they are kept.
 * The partner directory's partners (the console's referral cards; `partnerNames`: every name in
 * the directory, archived ones too) are counted by name; an agency the counsellor typed is her
 * free text: counted as その他 (once per consultation, however many were typed), its name kept
 * sealed beside the coding (conversation.referrals_other_enc).
 */
export function codedReferrals(
  partnerNames: readonly string[],
  referrals: readonly string[],
): { coded: string[]; typed: string[] } {
  const partners = new Set(partnerNames);
  const typed = [...new Set(referrals.filter((r) => !partners.has(r) && r !== OTHER_REFERRAL))];
  const coded = [...new Set(referrals.filter((r) => partners.has(r)))];
  if (typed.length > 0 || referrals.includes(OTHER_REFERRAL)) coded.push(OTHER_REFERRAL);
  return { coded, typed };
}

/**
 * The referrals as the counsellor gave them: the coded ones, with その他 replaced by the agencies
 * she typed (opened from their sealed list), so the close dialog shows what she chose.
 */
export function givenReferrals(coded: readonly string[], typed: readonly string[]): string[] {
  if (typed.length === 0) return [...coded];
  return [...coded.filter((r) => r !== OTHER_REFERRAL), ...typed];
}

/** The first line of a partner's contact text: safe on her lock screen, whatever the partner. */
export const CONTACT_TEXT_FIRST_LINE = "こちらも相談できるところです。";

/**
 * What a counsellor may put into a reply to tell her how to reach a partner (from the preset or
 * the partner directory): its name, phone and hours, and how to go about it. Null for a partner
 * without a phone (nothing to give her). The first line names no partner:
 * 「性暴力被害者サポートセンター」 must not show on her lock screen.
 */
export function partnerContactText(
  partner: Pick<Partner, "name" | "phone" | "hours" | "howToRefer">,
): string | null {
  if (!partner.phone) return null;
  return [
    CONTACT_TEXT_FIRST_LINE,
    `・${partner.name}`,
    `電話 ${partner.phone}${partner.hours ? `（${partner.hours}）` : ""}`,
    ...(partner.howToRefer ? [partner.howToRefer] : []),
  ].join("\n");
}
