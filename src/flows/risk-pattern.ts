/**
 * Word patterns of the risk lexicon, matched on her text split into morphemes, so that one
 * pattern follows conjugation, tense and politeness: 「薬 … 飲む」 matches 薬を全部飲んだ,
 * 薬飲みました and 薬いっぱい飲んじゃった alike. Kanji and kana are different words: a pattern
 * lists both (薬|くすり) where she may write either.
 *
 * Pattern syntax (written by counsellors in risk-lexicon.yaml, documented in flows/README.md):
 *   words separated by spaces, each compared with a word's dictionary form or its written form;
 *   `a|b` alternatives; `…` any words between (same sentence); `~` auxiliaries may stand here
 *   (ちゃう, てしまう, ます, た, です…). A pattern starts and ends with a word.
 */
import type { Morpheme, PatternStep, RiskPattern } from "./flow-types";
import { normalizeText } from "./text-normalize";

/** A written word may be split into a few morphemes by the analyser (位置情報 → 位置 + 情報). */
const MAX_WORD_MORPHEMES = 4;
/**
 * How many words `…` may stand for, and how many auxiliaries `~` may: a chain of auxiliaries
 * ends at the first other word anyway, and rarely passes six (切っ・て・しまい・まし・た), seven in
 * 殴ら・せ・られ・て・しまっ・て・い・まし・た.
 */
const MAX_SKIP = 10;

const GAP_MARKS = new Set(["…", "...", "……", "・・・"]);
const AUX_MARKS = new Set(["~", "〜", "～"]);
/**
 * Morphemes that end a sentence. Her text reaches the analyser NFKC-folded (textForAnalysis), so
 * ！？ arrive as !? and ． as "." (not an end: it is also the point of 3.5錠 and, tripled, of …).
 */
const SENTENCE_ENDS = new Set(["。", "!", "?"]);

export type ParsedPattern = { ok: true; pattern: RiskPattern } | { ok: false; error: string };

export function parsePattern(source: string): ParsedPattern {
  // \s includes the full-width space.
  const tokens = source.split(/\s/u).filter((t) => t.length > 0);
  if (tokens.length === 0) return { ok: false, error: "empty pattern" };
  const steps: PatternStep[] = [];
  for (const token of tokens) {
    if (GAP_MARKS.has(token)) {
      steps.push({ kind: "gap" });
      continue;
    }
    if (AUX_MARKS.has(token)) {
      steps.push({ kind: "aux" });
      continue;
    }
    const forms = token.split(/[|｜]/u).map((f) => normalizeText(f));
    if (forms.some((f) => f.length === 0)) {
      return { ok: false, error: `「${token}」: every alternative between | needs letters` };
    }
    steps.push({ kind: "word", forms: [...new Set(forms)] });
  }
  if (steps[0]?.kind !== "word" || steps[steps.length - 1]?.kind !== "word") {
    return { ok: false, error: "a pattern starts and ends with a word (not with … or ~)" };
  }
  // Stryker disable next-line ArithmeticOperator: equivalent, because the pattern ends with a word (checked above), so two marks in a row are found looking at the next step or at the one before
  if (steps.some((s, i) => s.kind !== "word" && steps[i + 1]?.kind !== "word")) {
    return { ok: false, error: "put a word between two … or ~ marks" };
  }
  return { ok: true, pattern: { source, steps } };
}

/** Her text as the matcher sees it: each morpheme normalised, with its place in the whole. */
export interface Token {
  surface: string;
  base: string;
  /** A sentence ends here: `…` does not reach across it. */
  boundary: boolean;
  /** An auxiliary or a conjugation helper that `~` may skip. */
  aux: boolean;
  /** Offsets in the concatenation of the normalised surfaces. */
  start: number;
  end: number;
}

export interface TokenisedText {
  tokens: Token[];
  /** The concatenation of the normalised surfaces (where harmless phrases are looked for). */
  text: string;
  /** At each token: written form of a run of up to 4 morphemes → run lengths. */
  forms: Map<string, Set<number>>[];
  /** Every form at any token, to skip at once a pattern one of whose words is absent. */
  anywhere: Set<string>;
}

function isAux(m: Morpheme): boolean {
  if (m.pos === "助動詞") return true;
  if (m.pos === "動詞") return m.posDetail === "非自立" || m.posDetail === "接尾";
  // 接続助詞 (て, けど…) is a kind of 助詞 only; other particles (を, の, ほど…) are not skipped.
  return m.posDetail === "接続助詞";
}


export function tokenise(morphemes: Morpheme[]): TokenisedText {
  let offset = 0;
  const tokens = morphemes.map((m): Token => {
    const surface = normalizeText(m.surface);
    // Unknown words have the base "*", which normalises to nothing: their base is what she wrote.
    const base = normalizeText(m.base) || surface;
    const token = { surface, base, boundary: SENTENCE_ENDS.has(m.surface), aux: isAux(m), start: offset, end: offset + surface.length };
    offset = token.end;
    return token;
  });
  const forms = tokens.map((_, i) => formsAt(tokens, i));
  const anywhere = new Set(forms.flatMap((f) => [...f.keys()]));
  return { tokens, text: tokens.map((t) => t.surface).join(""), forms, anywhere };
}

/** The written words that start at token i: surfaces of a run, the last one also in dictionary form. */
function formsAt(tokens: Token[], i: number): Map<string, Set<number>> {
  const forms = new Map<string, Set<number>>();
  const add = (form: string, length: number) => forms.set(form, (forms.get(form) ?? new Set()).add(length));
  let written = "";
  for (let k = 1; k <= MAX_WORD_MORPHEMES; k++) {
    const last = tokens[i + k - 1];
    if (!last || last.boundary) break;
    add(written + last.surface, k);
    add(written + last.base, k);
    written += last.surface;
  }
  return forms;
}

/** Is [start, end) of the normalised text inside one of the harmless spans? */
export type Excluded = (start: number, end: number) => boolean;

/** True when the pattern matches somewhere with none of its words inside a harmless phrase. */
export function patternHits(pattern: RiskPattern, text: TokenisedText, excluded: Excluded): boolean {
  // A shortcut, for speed only: a pattern one of whose words is nowhere in her text cannot match.
  // Stryker disable next-line ConditionalExpression: equivalent when a step is taken for present (→ true): it is still matched word by word below; the → false variant makes every pattern miss
  const present = (step: PatternStep) => step.kind !== "word" || step.forms.some((f) => text.anywhere.has(f));
  // Stryker disable next-line ConditionalExpression,MethodExpression: equivalent when the shortcut is skipped or taken less often (→ false, every → some); the → true variant makes every pattern miss
  if (!pattern.steps.every(present)) return false;
  return text.tokens.some((_, at) => matchFrom(pattern.steps, 0, at, text, excluded));
}

function matchFrom(
  steps: PatternStep[],
  si: number,
  at: number,
  text: TokenisedText,
  excluded: Excluded,
): boolean {
  const step = steps[si];
  if (!step) return true;
  const next = (to: number) => matchFrom(steps, si + 1, to, text, excluded);
  if (step.kind === "word") {
    const forms = text.forms[at];
    if (!forms) return false;
    return step.forms.some((form) =>
      [...(forms.get(form) ?? [])].some((length) => {
        const first = text.tokens[at];
        const last = text.tokens[at + length - 1];
        if (!first || !last || excluded(first.start, last.end)) return false;
        return next(at + length);
      }),
    );
  }
  for (let skipped = 0; skipped <= MAX_SKIP; skipped++) {
    if (next(at + skipped)) return true;
    const token = text.tokens[at + skipped];
    if (!token || token.boundary || (step.kind === "aux" && !token.aux)) return false;
  }
  return false;
}
