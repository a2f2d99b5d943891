/**
 * Problems found in a preset, located by file, line and node, and the error that carries them.
 */
import type { SourceFile, SourcePath } from "./flow-source";

export type ProblemCode =
  | "missing-file"
  | "syntax"
  | "schema"
  | "unknown-target"
  | "unreachable-node"
  | "dead-end"
  | "missing-handoff-path"
  | "label-too-long"
  | "too-many-choices"
  | "text-too-long"
  | "too-many-messages"
  | "postback-too-long"
  | "unknown-placeholder"
  | "unknown-municipality"
  | "unknown-risk-category"
  | "hotline-without-hours"
  | "hotline-without-mode"
  | "hotline-without-category"
  | "risk-without-hotline"
  | "no-discreet-hotline"
  | "unsafe-first-line"
  | "municipality-in-two-regions"
  | "unknown-region"
  | "duplicate-id"
  | "duplicate-version"
  | "person-near-one-line";

export interface FlowProblem {
  code: ProblemCode;
  file: string;
  line: number;
  node?: string;
  message: string;
}

export function formatProblem(p: FlowProblem): string {
  const node = p.node ? ` node "${p.node}":` : "";
  return `${p.file}:${p.line}:${node} ${p.message} [${p.code}]`;
}

/** Thrown at start-up and by flows:check; `problems` lists every problem found. */
export class FlowValidationError extends Error {
  readonly code = "FLOW_VALIDATION_FAILED";
  constructor(
    readonly presetDir: string,
    readonly problems: FlowProblem[],
  ) {
    super(
      `preset ${presetDir} has ${problems.length} problem(s):\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join("\n"),
    );
    this.name = "FlowValidationError";
  }
}

/** Collects problems for one file. */
export class ProblemSink {
  readonly problems: FlowProblem[] = [];
  constructor(private readonly source: SourceFile) {}

  get file(): string {
    return this.source.file;
  }

  add(code: ProblemCode, path: SourcePath, message: string, node?: string): void {
    const line = this.source.lineOf(path);
    this.problems.push({ code, file: this.source.file, line, message, ...(node ? { node } : {}) });
  }
}
