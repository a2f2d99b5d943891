/**
 * The validator rejects each kind of broken flow with file, line and node, and both real presets
 * pass. Fixtures: test/fixtures/flows/ (a minimal valid preset, and one bad file per problem).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { FlowValidationError, loadPreset } from "../../../src/config/preset-loader";
import { parseYamlSource } from "../../../src/flows/flow-source";
import { buildPreset, formatProblem, type FlowProblem } from "../../../src/flows/flow-validator";
import { resolveMunicipality } from "../../../src/flows/region-resolver";
import { gunma, ROOT, yamaguchi } from "./chat-harness";

const FIXTURES = "test/fixtures/flows";
const MINIMAL = `${FIXTURES}/presets/minimal`;

function source(file: string) {
  return parseYamlSource(file, readFileSync(path.join(ROOT, file), "utf8"));
}

/** Validates the minimal preset with one file swapped for a bad one. */
function problemsWith(bad: { flow?: string; preset?: string; lexicon?: string }): FlowProblem[] {
  const result = buildPreset({
    preset: source(bad.preset ?? `${MINIMAL}/preset.yaml`),
    lexicon: source(bad.lexicon ?? `${MINIMAL}/risk-lexicon.yaml`),
    flows: [source(bad.flow ?? `${MINIMAL}/flow.yaml`)],
  });
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

/** 1-based line of the first (or last) line containing `needle` in a fixture. */
function lineOf(file: string, needle: string, which: "first" | "last" = "first"): number {
  const lines = readFileSync(path.join(ROOT, file), "utf8").split("\n");
  const index =
    which === "first" ? lines.findIndex((l) => l.includes(needle)) : lines.findLastIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not in ${file}`);
  return index + 1;
}

describe("the real presets", () => {
  it("Gunma loads with 35 municipalities in 3 regions", () => {
    expect(gunma.regions.map((r) => [r.id, r.municipalities.length])).toEqual([
      ["chuhoku", 17],
      ["seimo", 9],
      ["tomo", 9],
    ]);
    expect(gunma.kpi).toEqual({ fiscalYear: 2025, uniquePeopleTarget: 220 });
    // The console's canned replies: the first names the counsellor in the flows' syntax.
    expect(gunma.cannedReplies[0]).toContain("{{counsellorName}}");
  });

  it("Yamaguchi loads with its 19 municipalities in one region", () => {
    expect(yamaguchi.regions).toHaveLength(1);
    expect(yamaguchi.regions[0]?.municipalities).toHaveLength(19);
  });

  it.each([
    ["前橋", "前橋市", "chuhoku"],
    ["まえばし", "前橋市", "chuhoku"],
    ["マエバシシ", "前橋市", "chuhoku"],
    ["東吾妻町です", "東吾妻町", "chuhoku"],
    ["大泉", "大泉町", "tomo"],
    ["おおいずみまち", "大泉町", "tomo"],
    ["群馬県高崎市", "高崎市", "seimo"],
    ["富岡に住んでます", "富岡市", "seimo"],
  ])("resolves %s → %s (%s)", (text, municipality, regionId) => {
    expect(resolveMunicipality(text, gunma)).toEqual({ municipality, regionId });
  });

  it("does not guess an unknown place", () => {
    expect(resolveMunicipality("東京都", gunma)).toBeNull();
  });
});

describe("rejects broken flows with file:line and node", () => {
  const cases: [string, string, FlowProblem["code"], string, string | undefined][] = [
    ["unknown-target.yaml", "next: nowhere", "unknown-target", 'unknown target "nowhere"', "ask"],
    ["unreachable.yaml", "  orphan:", "unreachable-node", "unreachable node", "orphan"],
    ["dead-end.yaml", "  ask:", "dead-end", "dead end", "ask"],
    ["no-handoff-path.yaml", "  loop:", "missing-handoff-path", "no handoff node can be reached", "loop"],
    ["no-handoff-words.yaml", "handoff: []", "missing-handoff-path", "no hand-off words", undefined],
    ["label-too-long.yaml", "choices:", "label-too-long", "is over 20 characters", "ask"],
    ["too-many-choices.yaml", "choices:", "too-many-choices", "14 buttons", "ask"],
    ["text-too-long.yaml", "text: ああ", "text-too-long", "5001 characters", "ask"],
    ["schema-typo.yaml", "nxt: ask", "schema", 'Unrecognized key: "nxt"', "hello"],
  ];

  it.each(cases)("%s", (name, needle, code, message, node) => {
    const file = `${FIXTURES}/bad-flows/${name}`;
    const problem = problemsWith({ flow: file }).find(
      (p) => p.code === code && p.message.includes(message) && (!node || p.node === node),
    );
    expect(problem).toMatchObject({ file, line: lineOf(file, needle), ...(node ? { node } : {}) });
    const nodePart = node ? ` node "${node}":` : "";
    expect(problem && formatProblem(problem)).toMatch(
      new RegExp(`^${file}:${lineOf(file, needle)}:${nodePart} .*${code}`),
    );
  });

  it("a risk pattern a counsellor mistyped, each with its own line", () => {
    const file = `${FIXTURES}/bad-lexicons/bad-pattern.yaml`;
    const problems = problemsWith({ lexicon: file }).map(formatProblem);
    expect(problems).toEqual([
      `${file}:${lineOf(file, "- 薬 … 飲む …")}: categories.0.patterns.1: pattern 「薬 … 飲む …」: a pattern starts and ends with a word (not with … or ~) [schema]`,
      `${file}:${lineOf(file, "- リスカ||りすか")}: categories.1.patterns.0: pattern 「リスカ||りすか」: 「リスカ||りすか」: every alternative between | needs letters [schema]`,
    ]);
  });

  it("a municipality in two regions", () => {
    const file = `${FIXTURES}/bad-flows/two-regions.preset.yaml`;
    const problems = problemsWith({ preset: file });
    expect(problems).toEqual([
      expect.objectContaining({
        code: "municipality-in-two-regions",
        file,
        // The second listing is the one reported.
        line: lineOf(file, "name: 甲山市", "last"),
        message: "municipality 甲山市 is listed in north and south",
      }),
    ]);
  });

  it("a canned reply with a placeholder the console does not fill", () => {
    const file = `${FIXTURES}/bad-flows/canned-placeholder.preset.yaml`;
    expect(problemsWith({ preset: file })).toEqual([
      expect.objectContaining({
        code: "unknown-placeholder",
        file,
        line: lineOf(file, "{{name}}"),
        message: "unknown placeholder {{name}} in a canned reply (only {{counsellorName}})",
      }),
    ]);
  });
});

describe("rejects help that cannot reach her, with file:line", () => {
  const BAD = `${FIXTURES}/bad-flows`;

  it("a hotline without hours, without a mode, for a category the service does not know, or for none", () => {
    const file = `${BAD}/hotline-problems.preset.yaml`;
    expect(problemsWith({ preset: file })).toEqual([
      expect.objectContaining({ code: "hotline-without-hours", file, line: lineOf(file, "name: 相談電話"), message: "hotline 相談電話 has no hours: write hours, or h24: true" }),
      expect.objectContaining({ code: "hotline-without-mode", file, line: lineOf(file, "name: 相談チャット"), message: "hotline 相談チャット has no mode: voice or text" }),
      expect.objectContaining({
        code: "unknown-risk-category",
        file,
        line: lineOf(file, "overdose"),
        message: expect.stringMatching(/^risk category overdose is not a known category/) as unknown,
      }),
      expect.objectContaining({ code: "hotline-without-category", file, line: lineOf(file, "name: 予備の電話"), message: "hotline 予備の電話 names no risk category" }),
    ]);
  });

  it("a risk category of the lexicon that no hotline helps with", () => {
    const file = `${BAD}/risk-without-hotline.preset.yaml`;
    const lexicon = `${MINIMAL}/risk-lexicon.yaml`;
    expect(problemsWith({ preset: file })).toEqual([
      expect.objectContaining({ code: "risk-without-hotline", file: lexicon, line: lineOf(lexicon, "id: suicide"), message: "no hotline in preset.yaml helps with risk category suicide" }),
    ]);
  });

  it("a lexicon category that is not a known category", () => {
    const file = `${BAD}/unknown-category.lexicon.yaml`;
    expect(problemsWith({ lexicon: file })).toEqual([
      expect.objectContaining({ code: "unknown-risk-category", file, line: lineOf(file, "id: overdose") }),
    ]);
  });

  it("a flow text whose first line shows a list of lines or a word such as DV on a lock screen", () => {
    const file = `${BAD}/unsafe-first-line.yaml`;
    expect(problemsWith({ flow: file })).toEqual([
      expect.objectContaining({ code: "unsafe-first-line", file, line: lineOf(file, "riskNotice:"), message: "first line shows the {{hotlines24h}} list on a lock screen" }),
      expect.objectContaining({ code: "unsafe-first-line", file, line: lineOf(file, "DVのことですか"), node: "ask", message: 'first line shows "DV" on a lock screen' }),
    ]);
  });

  it("a canned reply whose first line is unsafe; the same word below the first line is fine", () => {
    const file = `${BAD}/canned-unsafe.preset.yaml`;
    expect(problemsWith({ preset: file })).toEqual([
      expect.objectContaining({ code: "unsafe-first-line", file, line: lineOf(file, "- DVのご相談ですね"), message: 'first line of a canned reply shows "DV" on a lock screen' }),
    ]);
  });
});

describe("loader and flows:check", () => {
  it("loadPreset throws FlowValidationError listing every problem", () => {
    const dir = path.join(ROOT, `${FIXTURES}/presets/broken`);
    let error: unknown;
    try {
      loadPreset(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlowValidationError);
    if (!(error instanceof FlowValidationError)) return;
    expect(error.code).toBe("FLOW_VALIDATION_FAILED");
    expect(error.problems.map((p) => p.code)).toEqual(
      expect.arrayContaining(["unknown-target", "unreachable-node"]),
    );
    expect(error.message).toContain(`flow.yaml:${lineOf(`${FIXTURES}/presets/broken/flow.yaml`, "next: nowhere")}: node "ask"`);
  });

  it("a missing file is named", () => {
    expect(() => loadPreset(path.join(ROOT, FIXTURES, "bad-flows"))).toThrow(/preset\.yaml:1: file is missing/);
  });

  /** `npm run flows:check`; tsx is found the way node finds it (node_modules may be a symlink
   * above ROOT, as in a git worktree or Stryker's sandbox), not at a fixed path under ROOT. */
  function flowsCheck(root: string) {
    return spawnSync(process.execPath, ["--import", "tsx", "src/main/flows-check.ts", root], {
      cwd: ROOT,
      encoding: "utf8",
    });
  }

  it("npm run flows:check passes on flows/", () => {
    const run = flowsCheck("flows");
    expect(run.stdout).toContain("flows/gunma: ok");
    expect(run.stdout).toContain("flows/yamaguchi: ok");
    expect(run.status).toBe(0);
  });

  it("flows:check prints the problems and exits 1", () => {
    const run = flowsCheck(`${FIXTURES}/presets`);
    expect(run.stdout).toContain("presets/minimal: ok");
    expect(run.stdout).toMatch(/presets\/broken\/flow\.yaml:\d+: node "ask": unknown target "nowhere"/);
    expect(run.status).toBe(1);
  });
});
