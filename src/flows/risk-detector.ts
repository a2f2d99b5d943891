/**
 * Risk detection on her free text: a counsellor-written lexicon matched after normalisation,
 * as written strings (terms, combos) and as word patterns on the morphemes of a Japanese
 * analyser (patterns follow conjugation, tense and politeness; see risk-pattern.ts).
 * It errs on the side of flagging: a false alarm costs a counsellor a look, a miss can cost a life.
 * Negation is deliberately not read: 「死にたいわけじゃない」 flags for a counsellor's look.
 * The exclude list only removes a hit whose words sit inside a known harmless phrase; every
 * other hit in the same message still counts (「死ぬほどつらい。もう死にたい」 flags).
 */
import type { Analyse, RiskCategory, RiskLexicon } from "./flow-types";
import { patternHits, tokenise, type Excluded, type TokenisedText } from "./risk-pattern";
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

/**
 * The lexicon's strings normalised once per lexicon object, not on every message (a preset's
 * lexicon is built at start and never changes; a WeakMap lets a dropped lexicon go).
 */
interface Normalised {
  exclude: string[];
  categories: { category: RiskCategory; terms: string[]; combos: string[][][] }[];
}

const normalisedLexicons = new WeakMap<RiskLexicon, Normalised>();

function normalised(lexicon: RiskLexicon): Normalised {
  const known = normalisedLexicons.get(lexicon);
  if (known) return known;
  // A word that normalises to nothing (only punctuation) stays in the list: `occurrences` finds it nowhere.
  const all = (words: string[]) => words.map(normalizeText);
  const made: Normalised = {
    exclude: all(lexicon.exclude),
    categories: lexicon.categories.map((category) => ({
      category,
      terms: all(category.terms),
      combos: category.combos.map((combo) => combo.map(all)),
    })),
  };
  normalisedLexicons.set(lexicon, made);
  return made;
}

function excludedIn(text: string, exclude: string[]): Excluded {
  const spans = exclude.flatMap((phrase) => occurrences(text, phrase));
  return (start, end) => spans.some((ex) => ex.start <= start && end <= ex.end);
}

/** A term counts when at least one of its occurrences is not inside a harmless phrase. */
function termHits(text: string, term: string, excluded: Excluded): boolean {
  return occurrences(text, term).some((span) => !excluded(span.start, span.end));
}

interface Prepared {
  /** normalizeText of her whole message, for terms and combos. */
  written: string;
  writtenExcluded: Excluded;
  words: TokenisedText;
  wordsExcluded: Excluded;
}

function categoryHits(p: Prepared, { category, terms, combos }: Normalised["categories"][number]): boolean {
  if (terms.some((term) => termHits(p.written, term, p.writtenExcluded))) return true;
  if (category.patterns.some((pattern) => patternHits(pattern, p.words, p.wordsExcluded))) return true;
  return combos.some((combo) =>
    combo.every((group) => group.some((term) => termHits(p.written, term, p.writtenExcluded))),
  );
}

const HIRAGANA_STRETCH = /([\u3041-\u3096])[ぁぃぅぇぉー]+/gu;

/**
 * Her text as the analyser reads it best: full/half width folded, line breaks as sentence ends,
 * spaces, quotation marks and stretch marks out (「し に た ぁ い」 → 「しにたい」). Katakana and its ー stay:
 * the dictionary knows ホーム and オーバードーズ with them.
 */
export function textForAnalysis(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\r\n]/gu, "。")
    .replace(/[\s~〜～「」『』"“”]/gu, "")
    .replace(HIRAGANA_STRETCH, "$1");
}

export function detectRisk(text: string, lexicon: RiskLexicon, analyse: Analyse): RiskResult {
  const lex = normalised(lexicon);
  const written = normalizeText(text);
  const words = tokenise(analyse(textForAnalysis(text)));
  const prepared: Prepared = {
    written,
    writtenExcluded: excludedIn(written, lex.exclude),
    words,
    wordsExcluded: excludedIn(words.text, lex.exclude),
  };
  const categories = lex.categories
    .filter((entry) => categoryHits(prepared, entry))
    .map((entry) => entry.category.id);
  return { hit: categories.length > 0, categories };
}
