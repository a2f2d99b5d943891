/**
 * Placeholders an NPO may use in flow texts, and how they are filled in.
 * Kept in one place so the validator measures texts exactly as the engine will send them.
 */
import type { Flow, Hotline, Preset } from "./flow-types";

export const PLACEHOLDERS = [
  "serviceName",
  "hoursSummary",
  "hotlines",
  "hotlines24h",
  "riskHotlines",
  "quietNumber",
  "nextOpening",
  "exitWord",
  "handoffWord",
  "silenceMinutes",
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateVars = Record<Placeholder, string>;

const PLACEHOLDER_RE = /\{\{\s*([a-zA-Z0-9]+)\s*\}\}/g;

export function placeholdersIn(text: string): string[] {
  // Stryker disable next-line StringLiteral: equivalent, the pattern's one group takes part in every match, so the fallback is never used
  return [...text.matchAll(PLACEHOLDER_RE)].map((m) => m[1] ?? "");
}

/** The one placeholder of a canned reply: the console puts the counsellor's name there. */
export const CANNED_REPLY_PLACEHOLDERS = ["counsellorName"] as const;

/**
 * A canned reply (the preset's or a counsellor's own) as she will read it: the counsellor's
 * name where {{counsellorName}} stands; any other placeholder is left as written.
 */
export function renderCannedReply(text: string, vars: { counsellorName: string }): string {
  return text.replace(PLACEHOLDER_RE, (whole, name: string) =>
    name === "counsellorName" ? vars.counsellorName : whole,
  );
}

export function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

export function renderTemplate(text: string, vars: TemplateVars): string {
  return text.replace(PLACEHOLDER_RE, (whole, name: string) =>
    isPlaceholder(name) ? vars[name] : whole,
  );
}

/** Text lines say so after the name: she may be unable to speak aloud. */
const TEXT_MODE_MARK = "（文字で）";

function hotlineLine(h: Hotline): string {
  const mode = h.mode === "text" ? TEXT_MODE_MARK : "";
  const note = h.note ? `（${h.note}）` : "";
  return `・${h.name}${mode} ${h.number}${note} ${h.hours}`;
}

export function hotlineList(hotlines: Hotline[]): string {
  return hotlines.map(hotlineLine).join("\n");
}

/**
 * Variables that do not depend on time or on what she wrote; the caller fills in nextOpening,
 * and, in a risk notice, riskHotlines and quietNumber (risk-help.ts). Elsewhere riskHotlines is
 * every line, which is also the longest it can be (what flows:check measures).
 */
export function staticVars(
  flow: Flow,
  preset: Pick<Preset, "serviceName" | "hoursSummary" | "hotlines">,
): TemplateVars {
  return {
    serviceName: preset.serviceName,
    hoursSummary: preset.hoursSummary,
    hotlines: hotlineList(preset.hotlines),
    hotlines24h: hotlineList(preset.hotlines.filter((h) => h.h24)),
    riskHotlines: hotlineList(preset.hotlines),
    quietNumber: preset.hotlines.find((h) => h.discreet)?.number ?? "",
    nextOpening: "",
    // Stryker disable next-line StringLiteral: equivalent, the flow schema requires at least one exit word, so the fallback is never used
    exitWord: flow.keywords.exit[0] ?? "",
    handoffWord: flow.settings.handoffButtonLabel,
    silenceMinutes: String(flow.settings.silenceMinutes),
  };
}
