/**
 * Graph checks: every target exists, every node is reachable, no path strands her, and a
 * counsellor can be reached from every node (besides the global hand-off words).
 */
import type { ProblemSink } from "./flow-problems";
import type { SourcePath } from "./flow-source";
import { RETURN_TARGET, type Flow, type FlowNode } from "./flow-types";

interface Edge {
  target: string;
  path: SourcePath;
}

/** Targets a node can lead to, with the YAML path that names each one. */
export function nodeEdges(nodeId: string, node: FlowNode): Edge[] {
  const base: SourcePath = ["nodes", nodeId];
  switch (node.type) {
    case "message":
    case "municipality":
    case "pickupPoints":
    case "gatherings":
      return [{ target: node.next, path: [...base, "next"] }];
    case "choice": {
      const own = node.choices.flatMap((c, i) =>
        c.next ? [{ target: c.next, path: [...base, "choices", i, "next"] }] : [],
      );
      return node.next ? [...own, { target: node.next, path: [...base, "next"] }] : own;
    }
    case "handoff":
    case "end":
      return [];
  }
}

/** Where `return` may lead: after the sections of any multi-select node. */
function returnTargets(flow: Flow): string[] {
  return Object.values(flow.nodes).flatMap((n) =>
    n.type === "choice" && n.multiple && n.next ? [n.next] : [],
  );
}

/**
 * Whether the flow has a node of that id. Not `id in flow.nodes`: an id such as `constructor`
 * passes the id rule and every object answers to it, so the engine would step onto a function.
 */
function isNode(flow: Flow, id: string): boolean {
  return Object.hasOwn(flow.nodes, id);
}

/** Each node's successors. An unknown target is reported by checkTargets and leads nowhere here. */
function successors(flow: Flow): Map<string, string[]> {
  const afterSections = returnTargets(flow);
  const map = new Map<string, string[]>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    map.set(
      id,
      nodeEdges(id, node).flatMap((e) => (e.target === RETURN_TARGET ? afterSections : [e.target])),
    );
  }
  return map;
}

function reachableFrom(starts: string[], next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const todo = [...starts];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    // Stryker disable next-line ArrayDeclaration: equivalent, because only an id that is not a node (an unknown target, reported by checkTargets) has no entry, and what it adds to `seen` is not a node either
    todo.push(...(next.get(id) ?? []));
  }
  return seen;
}

function checkTargets(flow: Flow, sink: ProblemSink): void {
  const hasMulti = returnTargets(flow).length > 0;
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const edge of nodeEdges(id, node)) {
      const ok = isNode(flow, edge.target) || (edge.target === RETURN_TARGET && hasMulti);
      if (!ok) sink.add("unknown-target", edge.path, `unknown target "${edge.target}"`, id);
    }
  }
  for (const key of ["start", "restartAt"] as const) {
    const target = key === "start" ? flow.start : flow.settings.restartAt;
    const path = key === "start" ? ["start"] : ["settings", "restartAt"];
    if (!isNode(flow, target)) sink.add("unknown-target", path, `unknown ${key} node "${target}"`);
  }
}

/** A choice node without `next` strands her on a skip, on free text or after a multi-select. */
function checkDeadEnds(flow: Flow, sink: ProblemSink): void {
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.type !== "choice" || node.next) continue;
    const strandedChoice = node.choices.findIndex((c) => !c.next);
    if (node.skippable || node.multiple || node.freeTextValue !== undefined) {
      const why = node.multiple ? "after the choices are done" : "when she skips or writes freely";
      sink.add("dead-end", ["nodes", id], `dead end: no "next" for ${why}`, id);
    } else if (strandedChoice >= 0) {
      sink.add("dead-end", ["nodes", id, "choices", strandedChoice], "dead end: choice has no next and the node has none", id);
    }
  }
}

function checkReachability(flow: Flow, next: Map<string, string[]>, sink: ProblemSink): void {
  const reachable = reachableFrom([flow.start, flow.settings.restartAt], next);
  for (const id of Object.keys(flow.nodes)) {
    if (!reachable.has(id)) sink.add("unreachable-node", ["nodes", id], "unreachable node", id);
  }
}

function checkHandoffPaths(flow: Flow, next: Map<string, string[]>, sink: ProblemSink): void {
  if (flow.keywords.handoff.length === 0) {
    sink.add("missing-handoff-path", ["keywords", "handoff"], "no hand-off words: she could not ask for a counsellor");
  }
  const entries = Object.entries(flow.nodes);
  const handoffs = entries.filter(([, n]) => n.type === "handoff").map(([id]) => id);
  if (handoffs.length === 0) {
    sink.add("missing-handoff-path", ["nodes"], "no handoff node: the triage never reaches a counsellor");
    return;
  }
  const reaches = (id: string): boolean => handoffs.some((h) => reachableFrom([id], next).has(h));
  // Unreachable nodes are reported once, as unreachable.
  const reachable = reachableFrom([flow.start, flow.settings.restartAt], next);
  for (const [id, node] of entries) {
    if (node.type === "end" || !reachable.has(id) || reaches(id)) continue;
    sink.add("missing-handoff-path", ["nodes", id], "missing hand-off path: no handoff node can be reached from here", id);
  }
}

export function checkFlowGraph(flow: Flow, sink: ProblemSink): void {
  const next = successors(flow);
  checkTargets(flow, sink);
  checkDeadEnds(flow, sink);
  checkReachability(flow, next, sink);
  checkHandoffPaths(flow, next, sink);
}
