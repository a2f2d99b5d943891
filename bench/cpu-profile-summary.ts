/**
 * Summarises a V8 .cpuprofile (from BENCH_PROFILE=1): self time by function and by package, so
 * the bench's question "where does the web process spend its CPU?" is answered in a few lines.
 * Usage: npx tsx bench/cpu-profile-summary.ts artifacts/bench-profile/service.cpuprofile [top]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: cpu-profile-summary <file.cpuprofile> [top]");
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const frame = nodes.get(id)?.callFrame;
  if (!frame) continue;
  total += us;
  const where = frame.url
    .replace(/^.*node_modules\//, "")
    .replace(/^file:\/\/.*\/work\/main\//, "");
  const fn = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byPackage.set(packageOf(frame), (byPackage.get(packageOf(frame)) ?? 0) + us);
}

function packageOf(frame: ProfileNode["callFrame"]): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (m?.[1]) return m[1];
  if (frame.url.includes("/src/")) return "our src/";
  if (frame.url.startsWith("node:")) return "node core (js)";
  return frame.url ? frame.url : frame.functionName; // (idle), (garbage collector), (program)
}

const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title} (total ${(total / 1e6).toFixed(1)} s of samples)`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
};
print("self time by package", byPackage, 20);
print("self time by function", byFunction, top);
