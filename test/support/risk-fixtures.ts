/**
 * The risk evaluation set (test/fixtures/risk/, format in its README.md) and how a lexicon
 * scores on it: recall and false alarms, per category and overall. Used by the floor test
 * (test/unit/flows/risk-eval.test.ts) and by `npm run bench:risk`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { detectRisk } from "../../src/flows/risk-detector";
import type { Analyse, Preset } from "../../src/flows/flow-types";

export const RISK_FIXTURES = path.resolve(__dirname, "../fixtures/risk");
export const RISK_BATCHES = ["tuning", "round-2", "round-3", "held-out"] as const;
export type RiskBatch = (typeof RISK_BATCHES)[number];
export type PresetId = "gunma" | "yamaguchi";

const presetField = z.enum(["gunma", "yamaguchi", "both"]);
const item = z.union([
  z.string().min(1),
  z.strictObject({
    text: z.string().min(1),
    expect: z.array(z.string()).min(1).optional(),
    preset: presetField.optional(),
  }),
]);
const fileSchema = z.strictObject({
  category: z.string().min(1),
  preset: presetField.default("both"),
  risk: z.array(item).default([]),
  harmless: z.array(item).default([]),
});

export interface RiskCase {
  text: string;
  /** Categories she should be flagged with; empty for a harmless message. */
  expect: string[];
  presets: PresetId[];
  batch: RiskBatch;
  file: string;
}

function presetsOf(p: "gunma" | "yamaguchi" | "both"): PresetId[] {
  return p === "both" ? ["gunma", "yamaguchi"] : [p];
}

export function loadRiskCases(batches: readonly RiskBatch[] = RISK_BATCHES): RiskCase[] {
  return batches.flatMap((batch) => {
    const dir = path.join(RISK_FIXTURES, batch);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .flatMap((f) => {
        const file = fileSchema.parse(parse(readFileSync(path.join(dir, f), "utf8")));
        const toCase = (entry: z.infer<typeof item>, risky: boolean): RiskCase => {
          const text = typeof entry === "string" ? entry : entry.text;
          const own = typeof entry === "string" ? undefined : entry;
          return {
            text,
            expect: risky ? (own?.expect ?? [file.category]) : [],
            presets: presetsOf(own?.preset ?? file.preset),
            batch,
            file: `${batch}/${f}`,
          };
        };
        return [
          ...file.risk.map((e) => toCase(e, true)),
          ...file.harmless.map((e) => toCase(e, false)),
        ];
      });
  });
}

export interface Tally {
  risk: number;
  /** Risk messages flagged at all (any category). */
  caught: number;
  harmless: number;
  falseAlarms: number;
}

export interface CategoryTally {
  /** Messages labelled with this category. */
  labelled: number;
  /** ... that were flagged with it. */
  found: number;
  /** Messages flagged with it although not labelled so (harmless or another category). */
  extra: number;
}

export interface Miss {
  text: string;
  preset: PresetId;
  file: string;
  expect: string[];
  got: string[];
}

export interface Evaluation {
  overall: Tally;
  byPreset: Record<PresetId, Tally>;
  byCategory: Map<string, CategoryTally>;
  misses: Miss[];
  falseAlarms: Miss[];
  /** Risk messages flagged, but not with every expected category. */
  wrongCategory: Miss[];
  /** Risk messages flagged with a category they are not labelled with (urgent needs as suicide…). */
  extraCategory: Miss[];
}

const emptyTally = (): Tally => ({ risk: 0, caught: 0, harmless: 0, falseAlarms: 0 });

export function evaluate(
  cases: RiskCase[],
  presets: Record<PresetId, Preset>,
  analyse: Analyse,
): Evaluation {
  const result: Evaluation = {
    overall: emptyTally(),
    byPreset: { gunma: emptyTally(), yamaguchi: emptyTally() },
    byCategory: new Map(),
    misses: [],
    falseAlarms: [],
    wrongCategory: [],
    extraCategory: [],
  };
  const category = (id: string): CategoryTally => {
    const t = result.byCategory.get(id) ?? { labelled: 0, found: 0, extra: 0 };
    result.byCategory.set(id, t);
    return t;
  };
  for (const c of cases) {
    for (const presetId of c.presets) {
      const got = detectRisk(c.text, presets[presetId].lexicon, analyse).categories;
      const miss: Miss = { text: c.text, preset: presetId, file: c.file, expect: c.expect, got };
      for (const tally of [result.overall, result.byPreset[presetId]]) {
        if (c.expect.length > 0) {
          tally.risk++;
          if (got.length > 0) tally.caught++;
        } else {
          tally.harmless++;
          if (got.length > 0) tally.falseAlarms++;
        }
      }
      for (const id of c.expect) {
        const t = category(id);
        t.labelled++;
        if (got.includes(id)) t.found++;
      }
      for (const id of got) if (!c.expect.includes(id)) category(id).extra++;
      if (c.expect.length > 0 && got.length === 0) result.misses.push(miss);
      if (c.expect.length === 0 && got.length > 0) result.falseAlarms.push(miss);
      if (got.length > 0 && c.expect.some((id) => !got.includes(id)))
        result.wrongCategory.push(miss);
      if (c.expect.length > 0 && got.some((id) => !c.expect.includes(id)))
        result.extraCategory.push(miss);
    }
  }
  return result;
}

export const recall = (t: Tally): number => (t.risk === 0 ? NaN : t.caught / t.risk);
export const falseAlarmRate = (t: Tally): number =>
  t.harmless === 0 ? NaN : t.falseAlarms / t.harmless;
