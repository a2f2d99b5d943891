/**
 * Where a problem in an NPO's YAML is: the line a path points at, and the lines of syntax
 * errors, so flows:check can say file:line.
 */
import { parseYamlSource } from "../../../src/flows/flow-source";
import { formatProblem, FlowValidationError, ProblemSink } from "../../../src/flows/flow-problems";

const YAML = `version: 3
start: hello
nodes:
  hello:
    type: message
    text:
      - こんにちは
      - ようこそ
    next: ask
  ask:
    type: choice
`;

describe("lineOf", () => {
  const source = parseYamlSource("flow.yaml", YAML);

  it.each([
    [[], 1],
    [["start"], 2],
    [["nodes"], 3],
    [["nodes", "hello"], 4],
    [["nodes", "hello", "next"], 9],
    [["nodes", "hello", "text", 0], 7],
    [["nodes", "hello", "text", 1], 8],
    [["nodes", "ask", "type"], 11],
  ] as const)("%j is on line %i", (path, line) => {
    expect(source.lineOf(path)).toBe(line);
  });

  it("a path that goes further than the file points at the deepest part that exists", () => {
    expect(source.lineOf(["nodes", "hello", "text", 5])).toBe(6);
    expect(source.lineOf(["nodes", "ask", "choices", 0, "next"])).toBe(10);
    expect(source.lineOf(["nodes", "nowhere"])).toBe(3);
    expect(source.lineOf(["start", 0])).toBe(2);
    expect(source.lineOf(["nodes", 0])).toBe(3);
  });

  it("a file that opens with comments points at its first line of content", () => {
    const commented = parseYamlSource("flow.yaml", "# 相談フロー\n\nversion: 1\n");
    expect(commented.lineOf([])).toBe(3);
    expect(commented.lineOf(["start"])).toBe(3);
  });

  it("gives the parsed data when the file has no syntax errors", () => {
    expect(source.syntaxErrors).toEqual([]);
    expect(source.data).toMatchObject({ version: 3, start: "hello" });
  });
});

describe("syntax errors", () => {
  it("are located and the data is withheld", () => {
    const source = parseYamlSource("flow.yaml", "version: 1\nstart: hello\nstart: again\n");
    expect(source.syntaxErrors).toEqual([{ line: 3, message: "Map keys must be unique" }]);
    expect(source.data).toBeUndefined();
  });

  it("an error message is its first line only", () => {
    const source = parseYamlSource("flow.yaml", "nodes:\n  - a\n  b: c\n");
    expect(source.syntaxErrors.length).toBeGreaterThan(0);
    for (const e of source.syntaxErrors) expect(e.message).not.toContain("\n");
  });

  it("an empty file has no errors and no data; every path points at line 1", () => {
    const source = parseYamlSource("flow.yaml", "");
    expect(source.syntaxErrors).toEqual([]);
    expect(source.data).toBeNull();
    expect(source.lineOf(["nodes"])).toBe(1);
  });
});

describe("problems", () => {
  const source = parseYamlSource("flows/x/flow.yaml", YAML);

  it("name file, line and node, and the node only when there is one", () => {
    const sink = new ProblemSink(source);
    sink.add("unknown-target", ["nodes", "hello", "next"], 'unknown target "ask2"', "hello");
    sink.add("missing-handoff-path", ["keywords", "handoff"], "no hand-off words");
    expect(sink.file).toBe("flows/x/flow.yaml");
    expect(sink.problems).toEqual([
      { code: "unknown-target", file: "flows/x/flow.yaml", line: 9, node: "hello", message: 'unknown target "ask2"' },
      { code: "missing-handoff-path", file: "flows/x/flow.yaml", line: 1, message: "no hand-off words" },
    ]);
    expect(sink.problems.map(formatProblem)).toEqual([
      'flows/x/flow.yaml:9: node "hello": unknown target "ask2" [unknown-target]',
      "flows/x/flow.yaml:1: no hand-off words [missing-handoff-path]",
    ]);
  });

  it("the error thrown at start-up lists every problem, one per line", () => {
    const sink = new ProblemSink(source);
    sink.add("unreachable-node", ["nodes", "ask"], "unreachable node", "ask");
    sink.add("dead-end", ["nodes", "ask"], "dead end", "ask");
    const error = new FlowValidationError("flows/x", sink.problems);
    expect(error.name).toBe("FlowValidationError");
    expect(error.code).toBe("FLOW_VALIDATION_FAILED");
    expect(error.presetDir).toBe("flows/x");
    expect(error.message).toBe(
      "preset flows/x has 2 problem(s):\n" +
        '  flows/x/flow.yaml:10: node "ask": unreachable node [unreachable-node]\n' +
        '  flows/x/flow.yaml:10: node "ask": dead end [dead-end]',
    );
  });
});
