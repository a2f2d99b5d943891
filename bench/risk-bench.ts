/**
 * `npm run bench:risk`: how well and how fast the risk lexicons of both presets find risk in
 * the evaluation set of test/fixtures/risk/ (see its README.md).
 * - recall (risk messages flagged) and false alarms (harmless messages flagged), per batch
 *   (tuning: the lexicon was adjusted on it; held-out: written afterwards), per preset and
 *   per category (a category's recall counts messages flagged with that very category);
 * - the time per message up to 200 characters (p50, p99) and per 1,000 characters of long ones;
 * - what the analyser costs: load time and the process's memory (RSS) after loading.
 * `-- --show` also lists every miss, false alarm and missing category.
 */
import os from "node:os";
import path from "node:path";
import { loadPreset } from "../src/config/preset-loader";
import type { Analyse, RiskLexicon } from "../src/flows/flow-types";
import { detectRisk } from "../src/flows/risk-detector";
import { loadJapaneseAnalyser } from "../src/text/japanese-analyser";
import {
  evaluate,
  falseAlarmRate,
  loadRiskCases,
  recall,
  RISK_BATCHES,
  type Evaluation,
  type Miss,
  type PresetId,
  type RiskCase,
} from "../test/support/risk-fixtures";
import { ascending, quantile } from "./support/quantile";
import { printTable } from "./support/table";

const ROOT = path.resolve(__dirname, "..");
const SHORT = 200;
const TIMING_ROUNDS = 5;

const pct = (x: number) => (Number.isNaN(x) ? "-" : `${(x * 100).toFixed(1)} %`);
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

async function main() {
  const rssBefore = process.memoryUsage().rss;
  const analyser = await loadJapaneseAnalyser();
  const rssAfter = process.memoryUsage().rss;
  console.log(
    `analyser (kuromoji + IPADIC): loaded in ${analyser.loadMs} ms; RSS ${mb(rssBefore)} before, ${mb(rssAfter)} after loading`,
  );
  const presets: Record<PresetId, ReturnType<typeof loadPreset>> = {
    gunma: loadPreset(path.join(ROOT, "flows/gunma")),
    yamaguchi: loadPreset(path.join(ROOT, "flows/yamaguchi")),
  };
  const all = loadRiskCases();
  const show = process.argv.includes("--show");

  for (const batch of [...RISK_BATCHES, "all"] as const) {
    const cases = batch === "all" ? all : all.filter((c) => c.batch === batch);
    const result = evaluate(cases, presets, analyser.analyse);
    console.log(`\n== ${batch}: ${countMessages(cases)}`);
    report(result);
    if (show && batch !== "all") listProblems(result);
  }
  timing(all, presets.gunma.lexicon, analyser.analyse);
  console.log(`\nRSS at the end: ${mb(process.memoryUsage().rss)}`);
}

function countMessages(cases: RiskCase[]): string {
  const risk = cases.filter((c) => c.expect.length > 0).length;
  return `${risk} risk and ${cases.length - risk} harmless messages (each checked against the presets it names)`;
}

function report(result: Evaluation) {
  const row = printTable([
    "",
    { title: "recall", width: 8 },
    "risk msgs",
    { title: "false alarms", width: 12 },
    "harmless msgs",
  ]);
  row([
    "overall",
    pct(recall(result.overall)),
    result.overall.risk,
    pct(falseAlarmRate(result.overall)),
    result.overall.harmless,
  ]);
  for (const [id, t] of Object.entries(result.byPreset)) {
    row([id, pct(recall(t)), t.risk, pct(falseAlarmRate(t)), t.harmless]);
  }
  console.log("");
  const cat = printTable([
    { title: "category", width: 16 },
    { title: "recall", width: 8 },
    "labelled",
    "flagged without its label",
  ]);
  for (const [id, t] of [...result.byCategory.entries()].sort()) {
    cat([id, pct(t.labelled === 0 ? NaN : t.found / t.labelled), t.labelled, t.extra]);
  }
}

function listProblems(result: Evaluation) {
  const line = (m: Miss) =>
    `  [${m.preset}] ${m.file}: ${m.text}  (expected ${m.expect.join(",") || "-"}; got ${m.got.join(",") || "-"})`;
  if (result.misses.length) console.log("misses:\n" + result.misses.map(line).join("\n"));
  if (result.falseAlarms.length)
    console.log("false alarms:\n" + result.falseAlarms.map(line).join("\n"));
  const partial = result.wrongCategory;
  if (partial.length)
    console.log("flagged without an expected category:\n" + partial.map(line).join("\n"));
  const extra = result.extraCategory;
  if (extra.length)
    console.log("flagged with a category not expected:\n" + extra.map(line).join("\n"));
}

/** Wall-clock and CPU time of one call, in ms (CPU time leaves out what other processes took). */
function timed(run: () => void): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function spread(label: string, values: number[], digits: number): string {
  const sorted = ascending(values);
  const at = (q: number) => quantile(sorted, q).toFixed(digits);
  return `${label} p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

function timing(cases: RiskCase[], lexicon: RiskLexicon, analyse: Analyse) {
  const [load1] = os.loadavg();
  console.log(`
load average while timing: ${(load1 ?? NaN).toFixed(1)} on ${os.cpus().length} CPUs (other processes stretch wall-clock times; CPU time is this process's own work, GC included)`);
  const short = cases.filter((c) => c.text.length <= SHORT);
  for (const c of short.slice(0, 50)) detectRisk(c.text, lexicon, analyse); // warm up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < TIMING_ROUNDS; round++) {
    for (const c of short) {
      const t = timed(() => detectRisk(c.text, lexicon, analyse));
      wall.push(t.wall);
      cpu.push(t.cpu);
    }
  }
  const longest = Math.max(...short.map((c) => c.text.length));
  console.log(`time per message (≤ ${SHORT} chars, longest ${longest}; ${wall.length} runs):`);
  console.log(`  ${spread("wall-clock", wall, 3)}`);
  console.log(`  ${spread("CPU       ", cpu, 3)}`);
  // Long messages: the whole set joined into stories of about 2,000 and 5,000 characters.
  for (const size of [2000, 5000]) {
    const stories: string[] = [];
    let story = "";
    for (const c of cases) {
      story += c.text + "。";
      if (story.length >= size) {
        stories.push(story);
        story = "";
      }
    }
    const perKWall: number[] = [];
    const perKCpu: number[] = [];
    for (const s of stories) {
      const t = timed(() => detectRisk(s, lexicon, analyse));
      perKWall.push((t.wall * 1000) / s.length);
      perKCpu.push((t.cpu * 1000) / s.length);
    }
    console.log(`time per 1,000 characters (${stories.length} messages of ~${size} chars):`);
    console.log(`  ${spread("wall-clock", perKWall, 2)}`);
    console.log(`  ${spread("CPU       ", perKCpu, 2)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
