/**
 * What an NPO editing its preset gets from the validator: each edit to the minimal preset
 * (test/fixtures/flows/presets/minimal) that breaks it is named with file, line and node, and
 * each edit that is fine passes. The YAML is edited as data and written back, as a person would.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { parseYamlSource } from "../../../src/flows/flow-source";
import { buildPreset, type FlowProblem } from "../../../src/flows/flow-validator";
import { ROOT } from "./chat-harness";

const MINIMAL = path.join(ROOT, "test/fixtures/flows/presets/minimal");
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access,
   @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument
   -- the tests edit the YAML as untyped data, as a person edits the file; typing it is the job of
   the validator under test. */
type Doc = Record<string, any>;

function load(name: string): Doc {
  return parse(readFileSync(path.join(MINIMAL, name), "utf8")) as Doc;
}

interface Edits {
  preset?: (d: Doc) => void;
  lexicon?: (d: Doc) => void;
  flow?: (d: Doc) => void;
  /** Older flow versions kept beside the current one. */
  older?: ((d: Doc) => void)[];
}

function texts(edits: Edits) {
  const edited = (name: string, edit?: (d: Doc) => void) => {
    const doc = load(name);
    edit?.(doc);
    return stringify(doc);
  };
  return {
    preset: edited("preset.yaml", edits.preset),
    lexicon: edited("risk-lexicon.yaml", edits.lexicon),
    flows: [edited("flow.yaml", edits.flow), ...(edits.older ?? []).map((e) => edited("flow.yaml", e))],
  };
}

function build(edits: Edits) {
  const t = texts(edits);
  return buildPreset({
    preset: parseYamlSource("preset.yaml", t.preset),
    lexicon: parseYamlSource("risk-lexicon.yaml", t.lexicon),
    flows: t.flows.map((text, i) => parseYamlSource(i === 0 ? "flow.yaml" : `versions/${i}.yaml`, text)),
  });
}

function problems(edits: Edits): FlowProblem[] {
  const result = build(edits);
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

/** 1-based line of the first line containing `needle` in the edited file. */
function lineIn(edits: Edits, file: "preset" | "lexicon" | "flow", needle: string, nth = 0): number {
  const t = texts(edits);
  const text = file === "flow" ? (t.flows[0] ?? "") : t[file];
  const lines = text.split("\n");
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  const line = hits[nth];
  if (line === undefined) throw new Error(`"${needle}" not in ${file}`);
  return line;
}

/** Sets `key` last in the object, so that its line in the written YAML is not the entry's first. */
function setLast(o: Doc, key: string, value: unknown): void {
  delete o[key];
  o[key] = value;
}

const region = (id: string, name: string, kana: string, extra: Doc = {}) => ({
  id,
  name: `${id}部`,
  hours: { weekly: { mon: "10:00-17:00", tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } },
  municipalities: [{ name, kana, ...extra }],
});

describe("the minimal preset", () => {
  it("builds, with its defaults filled in", () => {
    const result = build({});
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const { preset } = result;
    expect(preset).toMatchObject({ id: "minimal", defaultRegionId: "north", partners: [], cannedReplies: [] });
    expect(preset).not.toHaveProperty("kpi");
    expect(preset.flow.version).toBe("1");
    expect(Object.keys(preset.flowVersions)).toEqual(["1"]);
    expect(preset.regions[0]?.queue).toEqual({ waitLimitMinutes: 15, answerLimitMinutes: 10, tellAgainMinutes: 20, overflowTo: [], overflowWhenClosed: true });
    expect(preset.waiting).toMatchObject({ acknowledgeEveryMinutes: 10, personNear: "受け取りました。" });
    expect(preset.flow.settings).toMatchObject({ silenceMinutes: 30, handoffOnRisk: true, riskNoticeCooldownMinutes: 30 });
    expect(preset.lexicon.exclude).toEqual([]);
  });

  it("keeps its KPI and every flow version", () => {
    const result = build({
      preset: (d) => (d.kpi = { fiscalYear: 2026, uniquePeopleTarget: 100 }),
      older: [(d) => (d.version = "0")],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.preset.kpi).toEqual({ fiscalYear: 2026, uniquePeopleTarget: 100 });
    expect(Object.keys(result.preset.flowVersions).sort()).toEqual(["0", "1"]);
    expect(result.preset.flow.version).toBe("1");
  });

  it("with no flow at all there is nothing to run", () => {
    const t = texts({});
    const result = buildPreset({
      preset: parseYamlSource("preset.yaml", t.preset),
      lexicon: parseYamlSource("risk-lexicon.yaml", t.lexicon),
      flows: [],
    });
    expect(result).toEqual({ ok: false, problems: [] });
  });
});

describe("preset.yaml", () => {
  it("retention: the defaults when absent, a period of its own kept, one out of range named", () => {
    const plain = build({});
    if (!plain.ok) throw new Error(JSON.stringify(plain.problems));
    expect(plain.preset.retention).toEqual({ transcriptsDays: 1095, mediaDays: 365, rawEventsDays: 30, sessionsDays: 90, auditDays: 1825 });
    const own = build({ preset: (d) => (d.retention = { mediaDays: 90 }) });
    if (!own.ok) throw new Error(JSON.stringify(own.problems));
    expect(own.preset.retention).toMatchObject({ transcriptsDays: 1095, mediaDays: 90 });
    const edits: Edits = { preset: (d) => (d.retention = { transcriptsDays: 7 }) };
    const found = problems(edits).find((p) => p.message.startsWith("retention.transcriptsDays: Too small"));
    expect(found).toMatchObject({ file: "preset.yaml", line: lineIn(edits, "preset", "transcriptsDays") });
  });

  it("a region id used twice, at the second id's own line", () => {
    const edits: Edits = { preset: (d) => setLast(d.regions[1], "id", "north") };
    expect(problems(edits)).toContainEqual(
      expect.objectContaining({ code: "duplicate-id", file: "preset.yaml", line: lineIn(edits, "preset", "id: north", 1), message: "region id north repeats" }),
    );
  });

  it("a default region that is not a region", () => {
    const edits: Edits = { preset: (d) => (d.defaultRegion = "east") };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "unknown-region", line: lineIn(edits, "preset", "defaultRegion:"), message: "default region east is not a region" }),
    ]);
  });

  it("overflow to an unknown region or to the region itself", () => {
    const edits: Edits = {
      preset: (d) => {
        d.regions[0].queue = { overflowTo: ["south", "east"] };
        d.regions[1].queue = { overflowTo: ["south"] };
      },
    };
    expect(problems(edits).map((p) => [p.code, p.line, p.message])).toEqual([
      ["unknown-region", lineIn(edits, "preset", "- east"), "overflow region east is not another region"],
      ["unknown-region", lineIn(edits, "preset", "- south", 1), "overflow region south is not another region"],
    ]);
  });

  it("partners: a region that does not exist is named, 「all」 is fine", () => {
    const edits: Edits = {
      preset: (d) => (d.partners = [{ name: "センター", topics: ["dv"], regions: ["all", "north", "west"] }]),
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "unknown-region", line: lineIn(edits, "preset", "- west"), message: "partner region west is not a region" }),
    ]);
  });

  it("two municipalities that share a spelling", () => {
    const edits: Edits = {
      preset: (d) => d.regions.push(region("east", "丙村", "へい", { aliases: ["こうやま"] })),
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "municipality-in-two-regions",
        line: lineIn(edits, "preset", "name: 丙村"),
        message: '"こうやま" names both 甲山市 (north) and 丙村 (east)',
      }),
    ]);
  });

  it("the same municipality in two regions is reported once", () => {
    // The name written after the kana, so that the name's line is not the entry's first.
    const edits: Edits = { preset: (d) => d.regions[1].municipalities.push({ kana: "こうやま", name: "甲山市" }) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "municipality-in-two-regions",
        line: lineIn(edits, "preset", "name: 甲山市", 1),
        message: "municipality 甲山市 is listed in north and south",
      }),
    ]);
  });

  it("pickup points: an id used twice, and a region that does not exist, each at its own line", () => {
    const point = (id: string, region: string) => ({ name: "市役所", id, region, address: "甲山市1-1", hours: "平日", howToAsk: "窓口で" });
    const edits: Edits = { preset: (d) => (d.pickupPoints = [point("hall", "north"), point("hall", "west")]) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "duplicate-id", line: lineIn(edits, "preset", "id: hall", 1), message: "pickup point id hall repeats" }),
      expect.objectContaining({ code: "unknown-region", line: lineIn(edits, "preset", "region: west"), message: "pickup point region west is not a region" }),
    ]);
    expect(build({ preset: (d) => (d.pickupPoints = [point("hall", "north"), point("library", "south")]) }).ok).toBe(true);
  });

  it("a fiscal year's KPI given twice, in kpi and kpiByYear or twice in kpiByYear", () => {
    const kpi = (fiscalYear: number) => ({ uniquePeopleTarget: 100, fiscalYear });
    const edits: Edits = {
      preset: (d) => {
        d.kpi = kpi(2026);
        d.kpiByYear = [kpi(2025), kpi(2026), kpi(2025)];
      },
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "duplicate-id", line: lineIn(edits, "preset", "fiscalYear: 2026", 1), message: "a KPI for fiscal year 2026 is already given" }),
      expect.objectContaining({ code: "duplicate-id", line: lineIn(edits, "preset", "fiscalYear: 2025", 1), message: "a KPI for fiscal year 2025 is already given" }),
    ]);
    expect(build({ preset: (d) => ((d.kpi = kpi(2026)), (d.kpiByYear = [kpi(2024), kpi(2025)])) }).ok).toBe(true);
  });

  it("closing templates: kept; one whose first line would show on her lock screen, or names someone, is named", () => {
    const ok = build({ preset: (d) => (d.closingTemplates = [{ id: "thanks", label: "お礼", text: "ありがとうございました。" }]) });
    if (!ok.ok) throw new Error(JSON.stringify(ok.problems));
    expect(ok.preset.closingTemplates).toEqual([{ id: "thanks", label: "お礼", text: "ありがとうございました。" }]);
    const edits: Edits = {
      preset: (d) =>
        (d.closingTemplates = [
          { id: "dv", label: "窓口", text: "DVの窓口です\nまたどうぞ" },
          { id: "named", label: "名前", text: "{{counsellorName}}でした" },
        ]),
    };
    expect(problems(edits).map((p) => p.code)).toEqual(["unsafe-first-line", "unknown-placeholder"]);
  });

  it("closing templates: an id used twice, and one over LINE's 5,000 characters, each named at its template", () => {
    const template = (id: string, text: string) => ({ label: "お礼", text, id });
    const fits = build({ preset: (d) => (d.closingTemplates = [template("long", "あ".repeat(5000))]) });
    expect(fits.ok ? [] : fits.problems).toEqual([]);
    const edits: Edits = {
      preset: (d) =>
        (d.closingTemplates = [
          template("thanks", "ありがとうございました。"),
          template("thanks", "またどうぞ。"),
          template("long", "あ".repeat(5001)),
          template("dv", "DVの窓口です"),
          template("named", "{{counsellorName}}でした"),
        ]),
    };
    const line = (needle: string) => lineIn(edits, "preset", needle);
    expect(problems(edits).map((p) => [p.code, p.line, p.message])).toEqual([
      ["duplicate-id", line("text: またどうぞ。") - 1, "closing template thanks is defined twice"],
      ["text-too-long", line("text: ああ") - 1, "closing template long has 5001 characters, LINE allows 5000"],
      ["unsafe-first-line", line("text: DV") - 1, 'first line of closing template dv shows "DV" on a lock screen'],
      ["unknown-placeholder", line("text: \"{{counsellorName}}") - 1, "closing template named has a placeholder; write it as sent"],
    ]);
  });

  it("a canned reply that could be too long once a counsellor's name (up to 20 characters) is in", () => {
    const fits = "あ".repeat(4962) + "{{counsellorName}}";
    const tooLong = "あ".repeat(4963) + "{{counsellorName}}";
    expect(build({ preset: (d) => (d.cannedReplies = [fits]) }).ok).toBe(true);
    const edits: Edits = { preset: (d) => (d.cannedReplies = ["こんにちは", tooLong]) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "text-too-long",
        line: lineIn(edits, "preset", "{{counsellorName}}"),
        message: "canned reply can be 5001 characters, LINE allows 5000",
      }),
    ]);
  });

  it("a waiting text must keep its first line safe on a lock screen, and one line once the person is near", () => {
    const edits: Edits = {
      preset: (d) =>
        (d.waiting = {
          outOfHours: "DVのご相談を受け取りました。\n{{nextOpening}}にお返事します。",
          personNear: "受け取りました。\n{{place}}",
          inHours: "受け取りました。\n{{queue}}",
        }),
    };
    const found = problems(edits);
    expect(found).toHaveLength(3);
    expect(found).toEqual([
      expect.objectContaining({ code: "unknown-placeholder", line: lineIn(edits, "preset", "inHours"), message: "unknown placeholder {{queue}} in waiting.inHours" }),
      expect.objectContaining({ code: "unsafe-first-line", line: lineIn(edits, "preset", "outOfHours"), message: 'the first line of waiting.outOfHours names "DV"' }),
      expect.objectContaining({ code: "person-near-one-line", line: lineIn(edits, "preset", "personNear"), message: "waiting.personNear must be one short line" }),
    ]);
    expect(build({ preset: (d) => (d.waiting = { inHours: "受け取りました。\n{{place}}" }) }).ok).toBe(true);
    // A block scalar (`|`) ends with a line break: still one line.
    expect(build({ preset: (d) => (d.waiting = { personNear: "受け取りました。\n" }) }).ok).toBe(true);
  });

  it("schema problems name the key path; a typo points at the unknown key itself", () => {
    const edits: Edits = {
      preset: (d) => {
        d.regions[0].hours.weekly.mon = "10:00-25:00";
        d.hotlines[0].nmber = "110";
      },
    };
    const found = problems(edits);
    expect(found).toContainEqual(
      expect.objectContaining({
        code: "schema",
        line: lineIn(edits, "preset", "mon: 10:00-25:00"),
        message: 'regions.0.hours.weekly.mon: "10:00-25:00" is not HH:MM-HH:MM',
      }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({ code: "schema", line: lineIn(edits, "preset", "nmber:"), message: expect.stringMatching(/^hotlines\.0: .*nmber/) as unknown }),
    );
  });

  it("a problem in a flow's messages names no node", () => {
    const edits: Edits = { flow: (d) => delete d.messages.handoffRequested };
    const found = problems(edits);
    expect(found).toEqual([
      expect.objectContaining({ code: "schema", file: "flow.yaml", message: "messages.handoffRequested: Invalid input" }),
    ]);
    expect(found[0]).not.toHaveProperty("node");
  });

  it("a problem at the top of the file has no path prefix", () => {
    const t = texts({});
    const result = buildPreset({
      preset: parseYamlSource("preset.yaml", "- just a list\n"),
      lexicon: parseYamlSource("risk-lexicon.yaml", t.lexicon),
      flows: [parseYamlSource("flow.yaml", t.flows[0] ?? "")],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ code: "schema", file: "preset.yaml", line: 1, message: "Invalid input: expected object, received array" }),
    ]);
    expect(result.problems[0]).not.toHaveProperty("node");
  });

  it("a YAML syntax error is reported with its line, and nothing is built", () => {
    const t = texts({});
    const result = buildPreset({
      preset: parseYamlSource("preset.yaml", t.preset),
      lexicon: parseYamlSource("risk-lexicon.yaml", "categories:\n  - id: a\n  - id: b\n    label: [\n"),
      flows: [parseYamlSource("flow.yaml", t.flows[0] ?? "")],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.length).toBeGreaterThan(0);
    expect(result.problems.every((p) => p.code === "syntax" && p.file === "risk-lexicon.yaml" && p.line >= 3)).toBe(true);
  });
});

describe("risk-lexicon.yaml", () => {
  it("a category id used twice, at the second id's own line", () => {
    const edits: Edits = { lexicon: (d) => d.categories.push({ label: "自殺", terms: ["消えたい"], id: "suicide" }) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "duplicate-id", file: "risk-lexicon.yaml", line: lineIn(edits, "lexicon", "id: suicide", 1), message: "risk category id suicide repeats" }),
    ]);
  });
});

describe("risk categories of the hotlines and the lexicon", () => {
  it("a hotline naming an unknown category, at that category's own line", () => {
    const edits: Edits = { preset: (d) => (d.hotlines[0].categories = ["suicide", "violence"]) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "unknown-risk-category",
        file: "preset.yaml",
        line: lineIn(edits, "preset", "- violence"),
        message: expect.stringMatching(/^risk category violence is not a known category/) as unknown,
      }),
    ]);
  });

  it("a lexicon category that is not a known one, at its id's own line", () => {
    const edits: Edits = { lexicon: (d) => d.categories.push({ label: "暴力", terms: ["殴られる"], id: "violence" }) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "unknown-risk-category",
        file: "risk-lexicon.yaml",
        line: lineIn(edits, "lexicon", "id: violence"),
        message: expect.stringMatching(/^risk category violence is not a known category/) as unknown,
      }),
    ]);
  });
});

describe("flow.yaml against the preset and the lexicon", () => {
  it("a choice that raises a risk category the lexicon does not have, or no known category", () => {
    const edits: Edits = { flow: (d) => (d.nodes.ask.choices[0].risk = ["suicide", "injury", "violence"]) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "unknown-risk-category",
        line: lineIn(edits, "flow", "- injury"),
        node: "ask",
        message: "risk category injury is not in the lexicon",
      }),
      expect.objectContaining({
        code: "unknown-risk-category",
        line: lineIn(edits, "flow", "- violence"),
        node: "ask",
        message: expect.stringMatching(/^risk category violence is not a known category \(suicide, self-harm, /) as unknown,
      }),
    ]);
  });

  it("{{quietNumber}} with no discreet hotline to fill it; with one it passes", () => {
    const flow = (d: Doc) => (d.messages.riskNoticeNear = "わかりました。{{quietNumber}}");
    expect(build({ flow, preset: (d) => (d.hotlines[0].discreet = true) }).ok).toBe(true);
    const edits: Edits = { flow };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "no-discreet-hotline",
        line: lineIn(edits, "flow", "riskNoticeNear:"),
        message: "{{quietNumber}} needs a hotline with discreet: true in preset.yaml",
      }),
    ]);
  });

  it("a municipality button that is not in the preset", () => {
    const edits: Edits = { flow: (d) => (d.nodes.where.buttons = ["甲山市", "丁島市"]) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "unknown-municipality",
        line: lineIn(edits, "flow", "- 丁島市"),
        node: "where",
        message: "button 丁島市 is not a municipality of the preset",
      }),
    ]);
  });

  it("when the preset or the lexicon is broken, the flow's references are not checked against it", () => {
    const found = problems({
      preset: (d) => delete d.hotlines,
      lexicon: (d) => delete d.categories,
      flow: (d) => {
        d.nodes.ask.choices[0].risk = ["violence"];
        d.nodes.where.buttons = ["丁島市"];
      },
    });
    expect(found.map((p) => p.code)).toEqual(["schema", "schema"]);
  });

  it("two kept flows with the same version, at the second one's version line", () => {
    // The version written last, so that its line is not the file's first.
    const edits: Edits = { older: [(d) => setLast(d, "version", "0"), (d) => setLast(d, "version", "0")] };
    const second = texts(edits).flows[2] ?? "";
    const versionLine = second.split("\n").findIndex((l) => l.startsWith("version:")) + 1;
    expect(versionLine).toBeGreaterThan(1);
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "duplicate-version", file: "versions/2.yaml", line: versionLine, message: "version 0 is also in versions/1.yaml" }),
    ]);
  });

  it("an older version that is broken stops the preset too", () => {
    expect(problems({ older: [(d) => delete d.start] }).map((p) => [p.code, p.file])).toEqual([["schema", "versions/1.yaml"]]);
  });
});

describe("flow graph", () => {
  it("an unknown start or restartAt node", () => {
    const edits: Edits = {
      flow: (d) => {
        d.start = "hi";
        d.settings.restartAt = "again";
      },
    };
    expect(problems(edits)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "unknown-target", line: lineIn(edits, "flow", "start: hi"), message: 'unknown start node "hi"' }),
        expect.objectContaining({ code: "unknown-target", line: lineIn(edits, "flow", "restartAt: again"), message: 'unknown restartAt node "again"' }),
      ]),
    );
  });

  it("a button leading to `constructor`, a name every object answers to, is an unknown target at that button", () => {
    const edits: Edits = { flow: (d) => (d.nodes.ask.choices[1].next = "constructor") };
    expect(problems(edits)).toEqual([
      {
        code: "unknown-target",
        file: "flow.yaml",
        line: lineIn(edits, "flow", "next: constructor"),
        node: "ask",
        message: 'unknown target "constructor"',
      },
    ]);
  });

  it("a flow starting at `constructor` is refused", () => {
    const edits: Edits = { flow: (d) => (d.start = "constructor") };
    expect(problems(edits)).toContainEqual(
      expect.objectContaining({ code: "unknown-target", line: lineIn(edits, "flow", "start: constructor"), message: 'unknown start node "constructor"' }),
    );
  });

  it("a multi-select elsewhere does not excuse an unknown target", () => {
    const edits: Edits = {
      flow: (d) => {
        d.nodes.ask.multiple = true;
        d.nodes.where.next = "nowhere";
      },
    };
    expect(problems(edits)).toContainEqual(
      expect.objectContaining({ code: "unknown-target", line: lineIn(edits, "flow", "next: nowhere"), node: "where" }),
    );
  });

  it("with two hand-off nodes, a node that reaches one of them is fine", () => {
    const result = build({
      flow: (d) => {
        d.nodes.ask.choices.push({ id: "now", label: "今すぐ", value: "other", next: "urgent" });
        d.nodes.urgent = { type: "handoff", text: "すぐにおつなぎします。" };
      },
    });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("`return` needs a multi-select to return to", () => {
    const edits: Edits = { flow: (d) => (d.nodes.hello.next = "return") };
    expect(problems(edits)).toContainEqual(
      expect.objectContaining({ code: "unknown-target", line: lineIn(edits, "flow", "next: return"), node: "hello", message: 'unknown target "return"' }),
    );
  });

  it("a topic section that returns to its multi-select is fine", () => {
    const result = build({
      flow: (d) => {
        d.nodes.ask.multiple = true;
        d.nodes.ask.choices[0].next = "money";
        d.nodes.money = { type: "message", text: "お金のことですね。", next: "return" };
      },
    });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it.each([
    ["skippable", (n: Doc) => (n.skippable = true), "when she skips or writes freely"],
    ["free text", (n: Doc) => ((n.skippable = false), (n.freeTextValue = "other")), "when she skips or writes freely"],
    ["multi-select", (n: Doc) => ((n.skippable = false), (n.multiple = true)), "after the choices are done"],
  ])("a %s question without next is a dead end", (_label, edit, why) => {
    const edits: Edits = {
      flow: (d) => {
        delete d.nodes.ask.next;
        for (const c of d.nodes.ask.choices) c.next = "where";
        edit(d.nodes.ask);
      },
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "dead-end", line: lineIn(edits, "flow", "  ask:"), node: "ask", message: `dead end: no "next" for ${why}` }),
    ]);
  });

  it("a question whose choices all lead on needs no next of its own", () => {
    const result = build({
      flow: (d) => {
        delete d.nodes.ask.next;
        d.nodes.ask.skippable = false;
        for (const c of d.nodes.ask.choices) c.next = "where";
      },
    });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("a choice that leads nowhere, in a question without next, is named", () => {
    const edits: Edits = {
      flow: (d) => {
        delete d.nodes.ask.next;
        d.nodes.ask.skippable = false;
        d.nodes.ask.choices[0].next = "where";
      },
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "dead-end", line: lineIn(edits, "flow", "- id: work"), node: "ask", message: "dead end: choice has no next and the node has none" }),
    ]);
  });

  it("the first choice leading nowhere is named too", () => {
    const edits: Edits = {
      flow: (d) => {
        delete d.nodes.ask.next;
        d.nodes.ask.skippable = false;
        d.nodes.ask.choices[1].next = "where";
      },
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "dead-end", line: lineIn(edits, "flow", "- id: money"), node: "ask" }),
    ]);
  });

  it("a node reachable only from restartAt is reachable", () => {
    const result = build({
      flow: (d) => {
        d.settings.restartAt = "again";
        d.nodes.again = { type: "message", text: "もう一度。", next: "ask" };
      },
    });
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("an unreachable node is reported once, as unreachable", () => {
    const edits: Edits = { flow: (d) => (d.nodes.lost = { type: "message", text: "迷子", next: "lost" }) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "unreachable-node", line: lineIn(edits, "flow", "  lost:"), node: "lost", message: "unreachable node" }),
    ]);
  });

  it("a flow with no handoff node at all", () => {
    const edits: Edits = {
      flow: (d) => {
        d.nodes.done = { type: "end", reason: "completed", text: "おわりです。" };
      },
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "missing-handoff-path",
        line: lineIn(edits, "flow", "nodes:"),
        message: "no handoff node: the triage never reaches a counsellor",
      }),
    ]);
  });

  it("a branch that can only end, never reach a counsellor", () => {
    const edits: Edits = {
      flow: (d) => {
        d.nodes.ask.choices[0].next = "bye";
        d.nodes.bye = { type: "message", text: "では。", next: "fin" };
        d.nodes.fin = { type: "end", reason: "completed", text: "おわりです。" };
      },
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "missing-handoff-path", line: lineIn(edits, "flow", "  bye:"), node: "bye" }),
    ]);
  });
});

describe("LINE limits", () => {
  it("more than five bubbles at once", () => {
    const edits: Edits = { flow: (d) => (d.messages.exit = ["1", "2", "3", "4", "5", "6"]) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "too-many-messages", line: lineIn(edits, "flow", "exit:", 1), message: "6 messages, LINE sends at most 5 at once" }),
    ]);
    expect(build({ flow: (d) => (d.messages.exit = ["1", "2", "3", "4", "5"]) }).ok).toBe(true);
  });

  it("an unknown placeholder in a message, a question's moreText or a retry text", () => {
    const edits: Edits = {
      flow: (d) => {
        d.messages.silence = "{{name}}さん、またどうぞ。";
        d.nodes.ask.moreText = "{{more}}";
        d.nodes.where.retryText = "{{retry}}";
      },
    };
    expect(problems(edits).map((p) => [p.code, p.line, p.node, p.message])).toEqual([
      ["unknown-placeholder", lineIn(edits, "flow", "{{name}}"), undefined, "unknown placeholder {{name}}"],
      ["unknown-placeholder", lineIn(edits, "flow", "{{more}}"), "ask", "unknown placeholder {{more}}"],
      ["unknown-placeholder", lineIn(edits, "flow", "{{retry}}"), "where", "unknown placeholder {{retry}}"],
    ]);
  });

  it("a text is measured as she will read it, with the placeholders filled in", () => {
    // {{nextOpening}} is measured at its longest (明日 12月31日(水) 10:00, 18 characters).
    const fits = "あ".repeat(5000 - 18) + "{{nextOpening}}";
    expect(build({ flow: (d) => (d.nodes.hello.text = fits) }).ok).toBe(true);
    const edits: Edits = { flow: (d) => (d.nodes.where.retryText = "あ" + fits) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "text-too-long", node: "where", message: "text is 5001 characters, LINE allows 5000" }),
    ]);
  });

  it("thirteen buttons fit, fourteen do not, counting skip and the counsellor button", () => {
    const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, label: `選択${i}`, value: `v${i}` }));
    expect(build({ flow: (d) => (d.nodes.ask.choices = choices(11)) }).ok).toBe(true);
    expect(problems({ flow: (d) => (d.nodes.ask.choices = choices(12)) })).toEqual([
      expect.objectContaining({ code: "too-many-choices", node: "ask", message: expect.stringMatching(/^14 buttons/) as unknown }),
    ]);
  });

  it("a multi-select is also checked once something is picked (done instead of skip)", () => {
    const edits: Edits = {
      flow: (d) => {
        d.nodes.ask.multiple = true;
        d.nodes.ask.skippable = false;
        d.nodes.ask.doneLabel = "これで全部です。ありがとうございました！！";
      },
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({
        code: "label-too-long",
        line: lineIn(edits, "flow", "choices:"),
        node: "ask",
        message: 'label "これで全部です。ありがとうございました！！" is over 20 characters',
      }),
    ]);
    expect(build({ flow: (d) => (d.nodes.ask.doneLabel = "これで全部です。ありがとうございました！！") }).ok).toBe(true);
  });

  it.each(["pickupPoints", "gatherings"])("a %s node's text for when there is none, measured too", (type) => {
    const node = (noneText: string) => (d: Doc) => {
      d.nodes.hello.next = "near";
      d.nodes.near = { type, text: "お近くの場所です。", noneText, next: "ask" };
    };
    expect(build({ flow: node("あ".repeat(5000)) }).ok).toBe(true);
    const edits: Edits = { flow: node("あ".repeat(5001)) };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "text-too-long", line: lineIn(edits, "flow", "noneText:"), node: "near", message: "text is 5001 characters, LINE allows 5000" }),
    ]);
  });

  it("with a preset that does not parse, its names count as empty in the flow's texts: only the preset's problem is named", () => {
    // 4,990 characters as she would read it, with both names empty: any stand-in longer than 10 characters would make it too long.
    const full = "あ".repeat(4990) + "{{serviceName}}{{hoursSummary}}";
    const edits: Edits = { preset: (d) => (d.regions = "北部"), flow: (d) => (d.nodes.hello.text = full) };
    expect(problems(edits).map((p) => [p.code, p.file])).toEqual([["schema", "preset.yaml"]]);
  });

  it("municipality buttons: too many, or a label too long", () => {
    const edits: Edits = {
      preset: (d) => (d.regions[0].municipalities = Array.from({ length: 12 }, (_, i) => ({ name: `市${i}`, kana: "し" + "い".repeat(i) }))),
      flow: (d) => (d.nodes.where.buttons = Array.from({ length: 12 }, (_, i) => `市${i}`)),
    };
    expect(problems(edits)).toEqual([
      expect.objectContaining({ code: "too-many-choices", line: lineIn(edits, "flow", "buttons:"), node: "where", message: expect.stringMatching(/^14 buttons/) as unknown }),
    ]);
    const longLabel: Edits = { flow: (d) => (d.nodes.where.preferNotLabel = "い".repeat(21)) };
    expect(problems(longLabel)).toEqual([expect.objectContaining({ code: "label-too-long", node: "where" })]);
    expect(build({ flow: (d) => (d.nodes.where.preferNotLabel = "い".repeat(20)) }).ok).toBe(true);
  });

  it("postback data over LINE's 300 characters (a long choice id)", () => {
    const id = "a".repeat(289);
    const edits: Edits = {
      flow: (d) => {
        d.nodes.ask.choices[0].id = id;
        d.nodes.ask.choices[0].next = "where";
      },
    };
    expect(problems(edits)).toEqual([expect.objectContaining({ code: "postback-too-long", node: "ask", message: 'postback data for "お金" is over 300 characters' })]);
    expect(build({ flow: (d) => (d.nodes.ask.choices[0].id = "a".repeat(288)) }).ok).toBe(true);
  });
});

describe("what the schema tells the person editing the files", () => {
  const messageOf = (edits: Edits) => problems(edits).map((p) => p.message);

  it.each([
    ["an id with capitals", { flow: (d: Doc) => (d.start = "Hello") }],
    ["an id starting with a digit", { flow: (d: Doc) => (d.start = "1hello") }],
    ["an id with a hyphen", { flow: (d: Doc) => (d.settings.restartAt = "ask-again") }],
  ])("%s: ids use lower-case letters, digits and _", (_label, edits: Edits) => {
    expect(messageOf(edits)).toContainEqual(expect.stringContaining("ids use lower-case letters, digits and _"));
  });

  it.each(["answers", "answer.x", "topic", "answers.1x", "ageBandx", "xsafeNow"])("field %s is not a triage field", (field) => {
    expect(messageOf({ flow: (d) => (d.nodes.ask.field = field) })).toEqual([
      "nodes.ask.field: field must be safeNow, topics, ageBand, supportWish or answers.<name>",
    ]);
  });

  it.each(["safeNow", "ageBand", "supportWish", "answers.partner_nearby"])("field %s is a triage field", (field) => {
    expect(build({ flow: (d) => (d.nodes.ask.field = field) }).ok).toBe(true);
  });

  it.each(["ageBand", "answers.partner_nearby"])("a multi-select on %s, which keeps one answer, is refused", (field) => {
    const edits: Edits = {
      flow: (d) => {
        d.nodes.ask.field = field;
        d.nodes.ask.multiple = true;
      },
    };
    expect(messageOf(edits)).toEqual(["nodes.ask.multiple: multiple: true needs field topics or supportWish (the fields that keep several answers)"]);
  });

  it.each(["topics", "supportWish"])("a multi-select on %s is fine", (field) => {
    expect(build({ flow: (d) => Object.assign(d.nodes.ask, { field, multiple: true }) }).ok).toBe(true);
  });

  it("a flow needs an exit word", () => {
    expect(messageOf({ flow: (d) => (d.keywords.exit = []) })).toEqual(["keywords.exit: at least one exit word is needed"]);
  });

  it.each(["12/29", "1229", "12-29-", "x12-29"])("closed date %s must be MM-DD", (date) => {
    expect(messageOf({ preset: (d) => (d.regions[0].hours.closedDates = [date]) })).toEqual([
      "regions.0.hours.closedDates.0: closed dates are MM-DD",
    ]);
  });

  it.each(["コウヤマ", "甲山", "こうやまa", "aこうやま"])("kana %s must be the reading in hiragana", (kana) => {
    expect(messageOf({ preset: (d) => (d.regions[0].municipalities[0].kana = kana) })).toEqual([
      "regions.0.municipalities.0.kana: kana is the reading in hiragana",
    ]);
  });

  it("a region open on public holidays, and a day written as one slot, a list or nothing", () => {
    const result = build({
      preset: (d) => {
        d.regions[0].hours.holidays = "open";
        d.regions[0].hours.weekly.sat = ["9:00-12:00", "13:00-17:00"];
        d.regions[0].hours.weekly.sun = null;
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.preset.regions[0]?.hours).toMatchObject({
      holidays: "open",
      closedDates: [],
      weekly: {
        mon: [{ start: 600, end: 1020 }],
        sat: [
          { start: 540, end: 720 },
          { start: 780, end: 1020 },
        ],
        sun: [],
      },
    });
  });

  it("a flow text may be one string or a list of bubbles", () => {
    const result = build({ flow: (d) => (d.nodes.hello.text = ["一つ目", "二つ目"]) });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.preset.flow.nodes.hello?.text).toEqual(["一つ目", "二つ目"]);
    expect(result.preset.flow.nodes.done?.text).toEqual(["ありがとうございました。"]);
  });

  it.each(["Suicide", "1risk", "risk_now"])("a risk category id %s is rejected", (id) => {
    expect(problems({ lexicon: (d) => (d.categories[0].id = id) }).map((p) => [p.code, p.file])).toEqual([
      ["schema", "risk-lexicon.yaml"],
    ]);
  });

  it("an end node's reason is not-safe-now or completed", () => {
    for (const reason of ["not-safe-now", "completed"]) {
      const result = build({
        flow: (d) => {
          d.nodes.ask.choices[0].next = "bye";
          d.nodes.bye = { type: "end", reason, text: "では。" };
        },
      });
      expect(result.ok ? [] : result.problems).toEqual([]);
    }
    expect(messageOf({ flow: (d) => (d.nodes.done = { type: "end", reason: "done", text: "では。" }) })[0]).toMatch(/^nodes\.done\.reason: /);
  });
});
