/**
 * The floor under risk detection: on the evaluation set of test/fixtures/risk/ (see its
 * README.md), both presets' lexicons catch at least 97 % of the risk messages and flag at most
 * 3 % of the harmless ones. A lexicon or detector change that falls below fails here, with the
 * messages that moved. `npm run bench:risk` prints the same figures per category and batch.
 */
import {
  evaluate,
  falseAlarmRate,
  loadRiskCases,
  recall,
  type Miss,
} from "../../support/risk-fixtures";
import { gunma, useJapaneseAnalyser, yamaguchi } from "./chat-harness";

const analyse = useJapaneseAnalyser();
const cases = loadRiskCases();
const describeMiss = (m: Miss) => `[${m.preset}] ${m.file}: ${m.text} (got ${m.got.join(",") || "nothing"})`;

describe("the risk evaluation set", () => {
  it("has at least 300 risk and 300 harmless messages, labelled with the presets' categories", () => {
    const risk = cases.filter((c) => c.expect.length > 0);
    expect(risk.length).toBeGreaterThanOrEqual(300);
    expect(cases.length - risk.length).toBeGreaterThanOrEqual(300);
    const known = new Set(gunma.lexicon.categories.map((c) => c.id));
    expect(risk.flatMap((c) => c.expect).filter((id) => !known.has(id))).toEqual([]);
    expect(new Set(risk.flatMap((c) => c.expect))).toEqual(known);
  });
});

describe("risk detection on the evaluation set", () => {
  const run = () => evaluate(cases, { gunma, yamaguchi }, analyse);

  it("catches at least 97 % of the risk messages, with each preset's lexicon", () => {
    const result = run();
    for (const tally of [result.byPreset.gunma, result.byPreset.yamaguchi]) {
      if (recall(tally) < 0.97) throw new Error(`recall ${recall(tally)}; missed:\n${result.misses.map(describeMiss).join("\n")}`);
    }
    expect(recall(result.overall)).toBeGreaterThanOrEqual(0.97);
  });

  it("flags at most 3 % of the harmless messages, with each preset's lexicon", () => {
    const result = run();
    for (const tally of [result.byPreset.gunma, result.byPreset.yamaguchi]) {
      if (falseAlarmRate(tally) > 0.03) {
        throw new Error(`false alarms ${falseAlarmRate(tally)}:\n${result.falseAlarms.map(describeMiss).join("\n")}`);
      }
    }
    expect(falseAlarmRate(result.overall)).toBeLessThanOrEqual(0.03);
  });

  it("never calls urgent needs suicide", () => {
    const urgentOnly = cases.filter((c) => c.expect.length === 1 && c.expect[0] === "urgent-needs");
    expect(urgentOnly.length).toBeGreaterThanOrEqual(40);
    const asSuicide = evaluate(urgentOnly, { gunma, yamaguchi }, analyse).extraCategory.filter((m) => m.got.includes("suicide"));
    expect(asSuicide.map(describeMiss)).toEqual([]);
  });
});
