/**
 * Reads a deployment preset folder (flows/<preset>/) and returns the validated Preset, or throws
 * FlowValidationError listing every problem with file, line and node. Used at start-up and by
 * `npm run flows:check`. The only flow module that touches the file system.
 *
 * Folder layout:
 *   preset.yaml          regions, municipalities, opening hours, hotlines, partners, KPI
 *   risk-lexicon.yaml    risk words per category
 *   flow.yaml            the current triage flow (new conversations start here)
 *   versions/*.yaml      earlier flow versions kept for conversations still running on them
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseYamlSource, type SourceFile } from "../flows/flow-source";
import { buildPreset } from "../flows/flow-validator";
import { FlowValidationError, type FlowProblem } from "../flows/flow-problems";
import type { Preset } from "../flows/flow-types";

export { FlowValidationError, formatProblem, type FlowProblem } from "../flows/flow-problems";

/** The repository's flows/ folder: one deployment preset per sub-folder. */
export const FLOWS_ROOT = path.resolve(__dirname, "../../flows");

export function presetDir(name: string): string {
  return path.join(FLOWS_ROOT, name);
}

const PRESET_FILE = "preset.yaml";
const LEXICON_FILE = "risk-lexicon.yaml";
const FLOW_FILE = "flow.yaml";
const VERSIONS_DIR = "versions";

function readSource(file: string, missing: FlowProblem[]): SourceFile {
  if (!existsSync(file)) {
    missing.push({ code: "missing-file", file, line: 1, message: "file is missing" });
    return parseYamlSource(file, "");
  }
  return parseYamlSource(file, readFileSync(file, "utf8"));
}

function versionFiles(dir: string): string[] {
  const versions = path.join(dir, VERSIONS_DIR);
  if (!existsSync(versions)) return [];
  return readdirSync(versions)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(versions, name));
}

export function loadPreset(dir: string): Preset {
  const missing: FlowProblem[] = [];
  const preset = readSource(path.join(dir, PRESET_FILE), missing);
  const lexicon = readSource(path.join(dir, LEXICON_FILE), missing);
  const flows = [path.join(dir, FLOW_FILE), ...versionFiles(dir)].map((f) =>
    readSource(f, missing),
  );
  if (missing.length > 0) throw new FlowValidationError(dir, missing);
  const result = buildPreset({ preset, lexicon, flows });
  if (!result.ok) throw new FlowValidationError(dir, result.problems);
  return result.preset;
}

/** Every folder under root that holds a preset.yaml (or a flow.yaml, so a half-made one is checked too). */
export function listPresetDirs(root: string): string[] {
  return readdirSync(root)
    .map((name) => path.join(root, name))
    .filter((dir) => statSync(dir).isDirectory())
    .filter(
      (dir) => existsSync(path.join(dir, PRESET_FILE)) || existsSync(path.join(dir, FLOW_FILE)),
    )
    .sort();
}

/** Loads every preset under root; throws the first folder's FlowValidationError. */
export function loadAllPresets(root: string): Record<string, Preset> {
  const presets = listPresetDirs(root).map(loadPreset);
  return Object.fromEntries(presets.map((p) => [p.id, p]));
}
