/**
 * `npm run chaos`: the service under a steady load of women writing and counsellors answering,
 * with one fault after another (kill -9 of the worker and of the web role, a Redis restart, a
 * PostgreSQL outage, LINE answering 500/429, LINE losing its answers), every process real.
 * Prints a row per fault: what was acknowledged, stored once, missing or doubled, what LINE
 * delivered once, and how long the service took to catch up. Exits 1 when anything was
 * missing or doubled. `npm run chaos -- --short` for a few seconds per fault (see
 * chaos-options.ts for the rest).
 */
import { writeFileSync } from "node:fs";
import { parseOptions } from "./chaos-options";
import { runChaos } from "./chaos-scenario";

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const result = await runChaos(options, (line) => console.log(line));
  if (options.jsonFile) writeFileSync(options.jsonFile, JSON.stringify(result, null, 2));
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
