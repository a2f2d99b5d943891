/**
 * Risk detection on her free text: a counsellor-written lexicon matched after normalisation.
 * It errs on the side of flagging: a false alarm costs a counsellor a look, a miss can cost a life.
 * The exclude list only removes hits that sit entirely inside a known harmless phrase.
 */
import type { RiskCategory, RiskLexicon } from "./flow-types";
import { normalizeText } from "./text-normalize";

export interface RiskResult {
  hit: boolean;
  /** Category ids in lexicon order; never the words that matched (they are her words). */
  categories: string[];
}

interface Span {
  start: number;
  end: number;
}

function occurrences(text: string, term: string): Span[] {
  const spans: Span[] = [];
  if (term.length === 0) return spans;
  let at = text.indexOf(term);
  while (at !== -1) {
    spans.push({ start: at, end: at + term.length });
    at = text.indexOf(term, at + 1);
  }
  return spans;
}

function excludedSpans(text: string, lexicon: RiskLexicon): Span[] {
  return lexicon.exclude.flatMap((phrase) => occurrences(text, normalizeText(phrase)));
}

/** A term counts when at least one of its occurrences is not inside a harmless phrase. */
function termHits(text: string, term: string, excluded: Span[]): boolean {
  return occurrences(text, normalizeText(term)).some(
    (span) => !excluded.some((ex) => ex.start <= span.start && span.end <= ex.end),
  );
}

function categoryHits(text: string, category: RiskCategory, excluded: Span[]): boolean {
  if (category.terms.some((term) => termHits(text, term, excluded))) return true;
  return category.combos.some((combo) =>
    combo.every((group) => group.some((term) => termHits(text, term, excluded))),
  );
}

export function detectRisk(text: string, lexicon: RiskLexicon): RiskResult {
  const normalized = normalizeText(text);
  const excluded = excludedSpans(normalized, lexicon);
  const categories = lexicon.categories
    .filter((category) => categoryHits(normalized, category, excluded))
    .map((category) => category.id);
  return { hit: categories.length > 0, categories };
}
