/**
 * Checks a deployment preset (preset.yaml, risk-lexicon.yaml, flow.yaml and kept older flow
 * versions) and builds the Preset the engine runs on. Every problem names file, line and node,
 * and all problems are collected in one pass so an NPO can fix them together.
 */
import type { z } from "zod";
import { flowSchema, lexiconSchema, presetFileSchema, type PresetFile } from "./flow-schema";
import type { SourceFile } from "./flow-source";
import { ProblemSink, type FlowProblem } from "./flow-problems";
import type { Flow, FlowNode, Preset, RiskLexicon } from "./flow-types";
import { checkFlowGraph } from "./flow-graph-check";
import { checkFlowLimits, LINE_LIMITS } from "./flow-limits-check";
import { CANNED_REPLY_PLACEHOLDERS, isPlaceholder, placeholdersIn } from "./flow-text";
import { PLACE_PLACEHOLDER } from "./waiting-notice";
import { municipalityKeys } from "./region-resolver";
import { checkHotlines, checkLexiconCategories, presetHotlines, unknownCategory } from "./hotline-check";
import { isKnownRiskCategory } from "./risk-categories";
import { lockScreenProblem } from "./shared-phone";

export { FlowValidationError, formatProblem, type FlowProblem } from "./flow-problems";

export interface PresetSources {
  preset: SourceFile;
  lexicon: SourceFile;
  /** The current flow first, then kept older versions. */
  flows: SourceFile[];
}

export type BuildResult = { ok: true; preset: Preset } | { ok: false; problems: FlowProblem[] };

function parseWith<T>(
  schema: z.ZodType<T>,
  source: SourceFile,
  sink: ProblemSink,
): T | undefined {
  for (const e of source.syntaxErrors) {
    sink.problems.push({ code: "syntax", file: source.file, line: e.line, message: e.message });
  }
  if (source.syntaxErrors.length > 0) return undefined;
  const result = schema.safeParse(source.data);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    // Stryker disable next-line ConditionalExpression: equivalent, because YAML keys are strings: no schema here has a symbol key (the filter narrows the type)
    const at = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    // Point at the unknown key itself (a typo such as `nxt:`), not at its parent object.
    const extra = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const path = extra === undefined ? at : [...at, extra];
    const node = path[0] === "nodes" && typeof path[1] === "string" ? path[1] : undefined;
    const where = at.length > 0 ? `${at.join(".")}: ` : "";
    sink.add("schema", path, `${where}${issue.message}`, node);
  }
  return undefined;
}

function checkMunicipalities(file: PresetFile, sink: ProblemSink): void {
  const owner = new Map<string, { name: string; region: string }>();
  file.regions.forEach((region, ri) => {
    region.municipalities.forEach((m, mi) => {
      for (const key of municipalityKeys(m)) {
        const seen = owner.get(key);
        if (seen && seen.name !== m.name) {
          sink.add(
            "municipality-in-two-regions",
            ["regions", ri, "municipalities", mi],
            `"${key}" names both ${seen.name} (${seen.region}) and ${m.name} (${region.id})`,
          );
        } else if (seen) {
          sink.add(
            "municipality-in-two-regions",
            ["regions", ri, "municipalities", mi, "name"],
            `municipality ${m.name} is listed in ${seen.region} and ${region.id}`,
          );
          break;
        }
        owner.set(key, { name: m.name, region: region.id });
      }
    });
  });
}

function checkPresetFile(file: PresetFile, sink: ProblemSink): void {
  const ids = new Set<string>();
  file.regions.forEach((r, i) => {
    if (ids.has(r.id)) sink.add("duplicate-id", ["regions", i, "id"], `region id ${r.id} repeats`);
    ids.add(r.id);
  });
  if (!ids.has(file.defaultRegion)) {
    sink.add("unknown-region", ["defaultRegion"], `default region ${file.defaultRegion} is not a region`);
  }
  file.regions.forEach((r, i) =>
    r.queue.overflowTo.forEach((to, j) => {
      if (!ids.has(to) || to === r.id) {
        sink.add("unknown-region", ["regions", i, "queue", "overflowTo", j], `overflow region ${to} is not another region`);
      }
    }),
  );
  file.partners.forEach((p, i) =>
    p.regions.forEach((r, j) => {
      if (r !== "all" && !ids.has(r)) {
        sink.add("unknown-region", ["partners", i, "regions", j], `partner region ${r} is not a region`);
      }
    }),
  );
  const pointIds = new Set<string>();
  file.pickupPoints.forEach((p, i) => {
    if (pointIds.has(p.id)) sink.add("duplicate-id", ["pickupPoints", i, "id"], `pickup point id ${p.id} repeats`);
    pointIds.add(p.id);
    if (!ids.has(p.region)) {
      sink.add("unknown-region", ["pickupPoints", i, "region"], `pickup point region ${p.region} is not a region`);
    }
  });
  const kpiYears = new Set(file.kpi ? [file.kpi.fiscalYear] : []);
  file.kpiByYear.forEach((k, i) => {
    if (kpiYears.has(k.fiscalYear)) {
      sink.add("duplicate-id", ["kpiByYear", i, "fiscalYear"], `a KPI for fiscal year ${k.fiscalYear} is already given`);
    }
    kpiYears.add(k.fiscalYear);
  });
  checkMunicipalities(file, sink);
  checkHotlines(file, sink);
  checkCannedReplies(file, sink);
  checkClosingTemplates(file, sink);
  checkWaitingTexts(file, sink);
}

/**
 * What she is told while she waits may reach her lock screen: its first line must not say what
 * she consults about, and once the person is near it is one line only.
 */
function checkWaitingTexts(file: PresetFile, sink: ProblemSink): void {
  for (const [key, text] of Object.entries(file.waiting)) {
    if (typeof text !== "string") continue;
    const at = ["waiting", key];
    const word = lockScreenProblem(text);
    if (word) sink.add("unsafe-first-line", at, `the first line of waiting.${key} names "${word}"`);
    if (key.endsWith("ersonNear") && /\r?\n/.test(text.trim())) {
      sink.add("person-near-one-line", at, `waiting.${key} must be one short line`);
    }
    for (const name of placeholdersIn(text)) {
      if (name !== PLACE_PLACEHOLDER && !isPlaceholder(name)) {
        sink.add("unknown-placeholder", at, `unknown placeholder {{${name}}} in waiting.${key}`);
      }
    }
  }
}

/**
 * A canned reply may only name the counsellor, must fit one LINE text message, and its first
 * line is safe on a lock screen (a counsellor's reply reaches her as a notification).
 */
function checkCannedReplies(file: PresetFile, sink: ProblemSink): void {
  const known: readonly string[] = CANNED_REPLY_PLACEHOLDERS;
  file.cannedReplies.forEach((text, i) => {
    const word = lockScreenProblem(text);
    if (word) {
      sink.add("unsafe-first-line", ["cannedReplies", i], `first line of a canned reply shows "${word}" on a lock screen`);
    }
    for (const name of placeholdersIn(text)) {
      if (!known.includes(name)) {
        sink.add(
          "unknown-placeholder",
          ["cannedReplies", i],
          `unknown placeholder {{${name}}} in a canned reply (only {{counsellorName}})`,
        );
      }
    }
    // Each {{counsellorName}} becomes a name of at most 20 characters (the console's limit).
    const longest = text.length + placeholdersIn(text).length * 20;
    if (longest > LINE_LIMITS.textLength) {
      sink.add("text-too-long", ["cannedReplies", i], `canned reply can be ${longest} characters, LINE allows ${LINE_LIMITS.textLength}`);
    }
  });
}

/**
 * A closing message reaches her as a notification: its first line is safe on a lock screen, it
 * fits one LINE text message, it names nobody (no placeholders), and each has its own id.
 */
function checkClosingTemplates(file: PresetFile, sink: ProblemSink): void {
  const ids = new Set<string>();
  file.closingTemplates.forEach((t, i) => {
    const at = ["closingTemplates", i];
    if (ids.has(t.id)) sink.add("duplicate-id", at, `closing template ${t.id} is defined twice`);
    ids.add(t.id);
    const word = lockScreenProblem(t.text);
    if (word) sink.add("unsafe-first-line", at, `first line of closing template ${t.id} shows "${word}" on a lock screen`);
    if (placeholdersIn(t.text).length > 0) {
      sink.add("unknown-placeholder", at, `closing template ${t.id} has a placeholder; write it as sent`);
    }
    if (t.text.length > LINE_LIMITS.textLength) {
      sink.add("text-too-long", at, `closing template ${t.id} has ${t.text.length} characters, LINE allows ${LINE_LIMITS.textLength}`);
    }
  });
}

function checkLexicon(lexicon: RiskLexicon, sink: ProblemSink): void {
  const ids = new Set<string>();
  lexicon.categories.forEach((c, i) => {
    if (ids.has(c.id)) sink.add("duplicate-id", ["categories", i, "id"], `risk category id ${c.id} repeats`);
    ids.add(c.id);
  });
}

function toPreset(file: PresetFile, lexicon: RiskLexicon, flows: Flow[]): Preset | undefined {
  const current = flows[0];
  if (!current) return undefined;
  return {
    id: file.id,
    name: file.name,
    serviceName: file.serviceName,
    hoursSummary: file.hoursSummary,
    ...(file.addFriendUrl ? { addFriendUrl: file.addFriendUrl } : {}),
    timezone: file.timezone,
    regions: file.regions,
    defaultRegionId: file.defaultRegion,
    hotlines: presetHotlines(file),
    partners: file.partners,
    pickupPoints: file.pickupPoints,
    ...(file.kpi ? { kpi: file.kpi } : {}),
    kpiByYear: file.kpiByYear,
    cannedReplies: file.cannedReplies,
    closingTemplates: file.closingTemplates,
    maxActiveChats: file.maxActiveChats,
    waiting: file.waiting,
    onCall: file.onCall,
    retention: file.retention,
    lexicon,
    flow: current,
    flowVersions: Object.fromEntries(flows.map((f) => [f.version, f])),
  };
}

function checkFlow(flow: Flow, presetFile: PresetFile | undefined, lexicon: RiskLexicon | undefined, sink: ProblemSink): void {
  checkFlowGraph(flow, sink);
  checkFlowLimits(flow, presetFile, sink);
  // Stryker disable next-line ArrayDeclaration: equivalent, because without a lexicon the categories are not checked (checkNodeReferences asks for refs.lexicon)
  const categories = new Set(lexicon?.categories.map((c) => c.id) ?? []);
  const municipalities = new Set(presetFile?.regions.flatMap((r) => r.municipalities.map((m) => m.name)));
  for (const [nodeId, node] of Object.entries(flow.nodes)) {
    checkNodeReferences(nodeId, node, { categories, municipalities, lexicon, presetFile }, sink);
  }
}

interface References {
  categories: Set<string>;
  municipalities: Set<string>;
  lexicon: RiskLexicon | undefined;
  presetFile: PresetFile | undefined;
}

function checkNodeReferences(nodeId: string, node: FlowNode, refs: References, sink: ProblemSink): void {
  if (node.type === "choice" && refs.lexicon) {
    node.choices.forEach((c, ci) =>
      c.risk.forEach((r, ri) => {
        const at = ["nodes", nodeId, "choices", ci, "risk", ri];
        if (!isKnownRiskCategory(r)) sink.add("unknown-risk-category", at, unknownCategory(r), nodeId);
        else if (!refs.categories.has(r)) {
          sink.add("unknown-risk-category", at, `risk category ${r} is not in the lexicon`, nodeId);
        }
      }),
    );
  }
  if (node.type === "municipality" && refs.presetFile) {
    node.buttons.forEach((b, bi) => {
      if (!refs.municipalities.has(b)) {
        sink.add("unknown-municipality", ["nodes", nodeId, "buttons", bi], `button ${b} is not a municipality of the preset`, nodeId);
      }
    });
  }
}

function checkVersions(flows: { flow: Flow; sink: ProblemSink }[]): void {
  const seen = new Map<string, string>();
  for (const { flow, sink } of flows) {
    const other = seen.get(flow.version);
    if (other) sink.add("duplicate-version", ["version"], `version ${flow.version} is also in ${other}`);
    seen.set(flow.version, sink.file);
  }
}

export function buildPreset(sources: PresetSources): BuildResult {
  const presetSink = new ProblemSink(sources.preset);
  const lexiconSink = new ProblemSink(sources.lexicon);
  const presetFile = parseWith(presetFileSchema, sources.preset, presetSink);
  const lexicon = parseWith(lexiconSchema, sources.lexicon, lexiconSink);
  if (presetFile) checkPresetFile(presetFile, presetSink);
  if (lexicon) checkLexiconCategories(lexicon, presetFile, lexiconSink);
  if (lexicon) checkLexicon(lexicon, lexiconSink);
  const flows = sources.flows.map((source) => {
    const sink = new ProblemSink(source);
    const flow = parseWith(flowSchema, source, sink);
    if (flow) checkFlow(flow, presetFile, lexicon, sink);
    return { flow, sink };
  });
  const parsedFlows = flows.flatMap((f) => (f.flow ? [{ flow: f.flow, sink: f.sink }] : []));
  checkVersions(parsedFlows);
  const problems = [presetSink, lexiconSink, ...flows.map((f) => f.sink)].flatMap((s) => s.problems);
  // A file that did not parse has a problem; presetFile and lexicon are named for the types.
  if (problems.length > 0 || !presetFile || !lexicon) {
    return { ok: false, problems };
  }
  const preset = toPreset(presetFile, lexicon, parsedFlows.map((f) => f.flow));
  return preset ? { ok: true, preset } : { ok: false, problems };
}
