/**
 * YAML text → plain data plus a way to find the line of any path in it, so every problem can
 * name file:line. Parsing is pure; reading the file is the loader's job.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

export type SourcePath = ReadonlyArray<string | number>;

export interface SourceFile {
  file: string;
  data: unknown;
  /** 1-based line of the deepest part of the path that exists (the key line for map entries). */
  lineOf(path: SourcePath): number;
  /** YAML syntax errors, already located. */
  syntaxErrors: { line: number; message: string }[];
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

interface Step {
  node: unknown;
  offset: number | undefined;
}

function stepInto(node: unknown, segment: string | number): Step | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => keyText(p.key) === String(segment));
    if (!pair) return undefined;
    const keyNode = pair.key as Node | null;
    return { node: pair.value, offset: keyNode?.range?.[0] };
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment] as Node | undefined;
    return item ? { node: item, offset: item.range?.[0] } : undefined;
  }
  return undefined;
}

export function parseYamlSource(file: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const syntaxErrors = [...doc.errors, ...doc.warnings].map((e) => ({
    line: lineAt(e.pos[0]),
    message: e.message.split("\n")[0] ?? e.message,
  }));
  const lineOf = (path: SourcePath): number => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const segment of path) {
      const step = stepInto(node, segment);
      if (!step) break;
      node = step.node;
      offset = step.offset ?? offset;
    }
    return lineAt(offset);
  };
  const data: unknown = doc.errors.length > 0 ? undefined : doc.toJS();
  return { file, data, lineOf, syntaxErrors };
}
