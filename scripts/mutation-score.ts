/**
 * After `stryker run` (npm run test:mutation): each mutated file's score from Stryker's JSON
 * report, every surviving mutant with its place, and exit 1 when any file scores under the floor.
 * Stryker's own thresholds judge the total only; the floor here holds for each file.
 *
 * `tsx scripts/mutation-score.ts a.json b.json …` reads several reports (runs in batches with
 * `--mutate`, one report each); a file in more than one report counts as its last report says.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

const FLOOR = 85;
const REPORT = path.resolve(__dirname, "../reports/mutation/mutation.json");

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);

function main(): number {
  const paths = process.argv.slice(2);
  const report: Report = { files: {} };
  for (const p of paths.length ? paths : [REPORT])
    Object.assign(report.files, (JSON.parse(readFileSync(p, "utf8")) as Report).files);
  const rows: { file: string; score: number; killed: number; survived: number; static: number }[] =
    [];
  const survivors: string[] = [];
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const killed = mutants.filter((m) => DETECTED.has(m.status)).length;
    const missed = mutants.filter((m) => UNDETECTED.has(m.status));
    const valid = killed + missed.length;
    rows.push({
      file,
      score: valid ? (100 * killed) / valid : 100,
      killed,
      survived: missed.length,
      static: mutants.filter((m) => m.status === "Ignored" && /static/i.test(m.statusReason ?? ""))
        .length,
    });
    for (const m of missed) {
      const at = `${file}:${m.location.start.line}:${m.location.start.column}`;
      survivors.push(
        `${at}  ${m.status}  ${m.mutatorName}${m.replacement ? ` → ${m.replacement.split("\n")[0]}` : ""}`,
      );
    }
  }
  const width = Math.max(...rows.map((r) => r.file.length));
  console.log(`\n${"file".padEnd(width)} | score % | detected | undetected | static, not run`);
  for (const r of rows) {
    const mark = r.score < FLOOR ? "  < floor" : "";
    console.log(
      `${r.file.padEnd(width)} | ${r.score.toFixed(1).padStart(7)} | ${String(r.killed).padStart(8)} | ${String(r.survived).padStart(10)} | ${String(r.static).padStart(15)}${mark}`,
    );
  }
  if (survivors.length)
    console.log(`\nUndetected mutants (${survivors.length}):\n${survivors.join("\n")}`);
  const below = rows.filter((r) => r.score < FLOOR);
  if (below.length) {
    console.log(
      `\n${below.length} file(s) under ${FLOOR} %: ${below.map((r) => r.file).join(", ")}`,
    );
    return 1;
  }
  console.log(`\nEvery file at ${FLOOR} % or more.`);
  return 0;
}

process.exit(main());
