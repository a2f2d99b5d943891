/**
 * `npm run flows:check [root]`: validates every preset folder under flows/ (or root) and prints
 * "ok" or every problem with file:line and node. Exit code 1 on any problem.
 */
import {
  FlowValidationError,
  formatProblem,
  listPresetDirs,
  loadPreset,
} from "../config/preset-loader";

function checkOne(dir: string): boolean {
  try {
    const preset = loadPreset(dir);
    const versions = Object.keys(preset.flowVersions).join(", ");
    console.log(`${dir}: ok (flow ${preset.flow.version}; loaded versions: ${versions})`);
    return true;
  } catch (error) {
    if (!(error instanceof FlowValidationError)) throw error;
    console.log(`${dir}: ${error.problems.length} problem(s)`);
    for (const problem of error.problems) console.log(`  ${formatProblem(problem)}`);
    return false;
  }
}

function main(): void {
  // Kept relative so problems read flows/gunma/flow.yaml:12, clickable in an editor.
  const root = process.argv[2] ?? "flows";
  const dirs = listPresetDirs(root);
  if (dirs.length === 0) {
    console.log(`no preset folders under ${root}`);
    process.exitCode = 1;
    return;
  }
  const results = dirs.map(checkOne);
  process.exitCode = results.every(Boolean) ? 0 : 1;
}

main();
