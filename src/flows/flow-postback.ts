/**
 * Postback data for quick-reply buttons: short, URL-encoded, and naming the node it answers so a
 * tap on an old button can be told apart from an answer to the current question.
 */

export type PostbackAction =
  | { action: "choose"; nodeId: string; choiceId: string }
  | { action: "skip"; nodeId: string }
  | { action: "done"; nodeId: string }
  | { action: "municipality"; nodeId: string; name: string }
  | { action: "prefer-not"; nodeId: string }
  | { action: "handoff" }
  /** Her contact times (src/flows/contact-times.ts): a band id, or "any". */
  | { action: "contact-times"; bandId: string };

const CODES = {
  choose: "c",
  skip: "s",
  done: "d",
  municipality: "m",
  "prefer-not": "p",
  handoff: "h",
  "contact-times": "t",
} as const;

/** LINE's limit for postback data. */
export const POSTBACK_DATA_LIMIT = 300;

export function encodePostback(p: PostbackAction): string {
  const params = new URLSearchParams({ a: CODES[p.action] });
  if ("nodeId" in p) params.set("n", p.nodeId);
  if (p.action === "choose") params.set("c", p.choiceId);
  if (p.action === "municipality") params.set("c", p.name);
  if (p.action === "contact-times") params.set("c", p.bandId);
  return params.toString();
}

export function decodePostback(data: string): PostbackAction | null {
  const params = new URLSearchParams(data);
  const nodeId = params.get("n") ?? "";
  const value = params.get("c") ?? "";
  switch (params.get("a")) {
    case "h":
      return { action: "handoff" };
    case "t":
      return value ? { action: "contact-times", bandId: value } : null;
    case "c":
      return nodeId && value ? { action: "choose", nodeId, choiceId: value } : null;
    case "m":
      return nodeId && value ? { action: "municipality", nodeId, name: value } : null;
    case "s":
      return nodeId ? { action: "skip", nodeId } : null;
    case "d":
      return nodeId ? { action: "done", nodeId } : null;
    case "p":
      return nodeId ? { action: "prefer-not", nodeId } : null;
    default:
      return null;
  }
}
