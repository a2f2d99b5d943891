/**
 * One normalisation for everything we match against her free text (risk lexicon, keywords,
 * choices, municipalities), so a lexicon written in kanji or hiragana matches katakana,
 * half-width, spaced-out or stretched spellings alike.
 */

/** Small vowels mostly stretch a sound (しにたぁい, ころされるぅ); dropping them on both sides keeps
 * the lexicon simple. Other small kana (っゃゅょ) carry meaning and stay. */
const DROPPED = new Set([
  "ぁ",
  "ぃ",
  "ぅ",
  "ぇ",
  "ぉ",
  "ー",
  // Stryker disable next-line StringLiteral: equivalent, 〜 and ～ are not letters or digits, so the letter test below drops them anyway; they are listed to name every stretch mark
  "〜",
  // Stryker disable next-line StringLiteral: equivalent, as for 〜 above
  "～",
]);

const KATAKANA_START = 0x30a1;
const KATAKANA_END = 0x30f6;
const KANA_OFFSET = 0x60;

function katakanaToHiragana(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out +=
      code >= KATAKANA_START && code <= KATAKANA_END
        ? String.fromCodePoint(code - KANA_OFFSET)
        : ch;
  }
  return out;
}

/**
 * NFKC (full/half width), lower case, katakana → hiragana, and drop everything that is not a
 * letter or digit (spaces, punctuation, emoji), the long-vowel mark and small vowels, so
 * 「シ ニ タ イ…」「ｼﾆﾀｲ」「しにたぁい」 all become 「しにたい」.
 */
export function normalizeText(text: string): string {
  const folded = katakanaToHiragana(text.normalize("NFKC").toLowerCase());
  let out = "";
  for (const ch of folded) {
    if (DROPPED.has(ch) || !/[\p{L}\p{N}]/u.test(ch)) continue;
    out += ch;
  }
  return out;
}
