/**
 * The rules a preset's hotlines follow, so that every risk the lexicon can catch finds help:
 * each line says when it answers (24 h or its hours) and how (voice or text), names only known
 * risk categories, and every category of the lexicon has at least one line.
 */
import type { PresetFile } from "./flow-schema";
import type { ProblemSink } from "./flow-problems";
import type { Hotline, RiskLexicon } from "./flow-types";
import { isKnownRiskCategory, RISK_CATEGORIES } from "./risk-categories";

const AROUND_THE_CLOCK = "24時間";

/** The preset's lines as the engine reads them (run once the checks below have passed). */
export function presetHotlines(file: Pick<PresetFile, "hotlines">): Hotline[] {
  return file.hotlines.map(({ hours, mode, ...h }) => ({
    ...h,
    // Stryker disable next-line StringLiteral: equivalent, a line without hours and without h24 fails checkHotlines
    hours: hours ?? (h.h24 ? AROUND_THE_CLOCK : ""),
    mode: mode ?? "voice",
  }));
}

export const unknownCategory = (id: string): string =>
  `risk category ${id} is not a known category (${RISK_CATEGORIES.join(", ")})`;

export function checkHotlines(file: PresetFile, sink: ProblemSink): void {
  file.hotlines.forEach((h, i) => {
    const at = ["hotlines", i];
    if (!h.h24 && !h.hours) {
      sink.add("hotline-without-hours", at, `hotline ${h.name} has no hours: write hours, or h24: true`);
    }
    if (!h.mode) sink.add("hotline-without-mode", at, `hotline ${h.name} has no mode: voice or text`);
    if (h.categories.length === 0) {
      sink.add("hotline-without-category", at, `hotline ${h.name} names no risk category`);
    }
    h.categories.forEach((c, j) => {
      if (!isKnownRiskCategory(c)) sink.add("unknown-risk-category", [...at, "categories", j], unknownCategory(c));
    });
  });
}

/** In risk-lexicon.yaml: unknown categories, and categories no hotline helps with. */
export function checkLexiconCategories(lexicon: RiskLexicon, preset: PresetFile | undefined, sink: ProblemSink): void {
  const helped = new Set(preset?.hotlines.flatMap((h) => h.categories));
  lexicon.categories.forEach((c, i) => {
    const at = ["categories", i, "id"];
    if (!isKnownRiskCategory(c.id)) return sink.add("unknown-risk-category", at, unknownCategory(c.id));
    if (preset && !helped.has(c.id)) {
      sink.add("risk-without-hotline", at, `no hotline in preset.yaml helps with risk category ${c.id}`);
    }
  });
}
