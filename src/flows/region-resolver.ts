/**
 * Municipality free text → municipality + region, using the preset's table.
 * Accepts the official name (前橋市), the name without 市/町/村 (前橋), its reading (まえばし,
 * マエバシ, まえばしし), configured aliases and sentences that contain one (前橋に住んでます).
 */
import type { Municipality, Preset, Region } from "./flow-types";
import { normalizeText } from "./text-normalize";

export interface ResolvedMunicipality {
  municipality: string;
  regionId: string;
}

const SUFFIX_READINGS: Record<string, string[]> = {
  市: ["し"],
  町: ["まち", "ちょう"],
  村: ["むら", "そん"],
};

/** Names of one character (光市 → 光, 萩市 → 萩) are too common inside sentences to match there. */
const MIN_CONTAINED_LENGTH = 2;

/** Polite endings around a bare name: 「萩です」「光に住んでます」「前橋在住」. */
const TRAILING_WORDS =
  /(です|だよ|だ|に住んでいます|に住んでます|にすんでいます|にすんでます|住み|在住|にいます|の方|あたり|辺り|付近)$/;

/** The name without 市/町/村, and the readings of what was dropped. */
function stemOf(name: string): { stem: string; readings: string[] } {
  const readings = SUFFIX_READINGS[name.slice(-1)];
  return readings ? { stem: name.slice(0, -1), readings } : { stem: name, readings: [] };
}

/** Every spelling that names this municipality, normalised. */
export function municipalityKeys(m: Municipality): string[] {
  const { stem, readings } = stemOf(m.name);
  const keys = [m.name, stem, m.kana, ...readings.map((s) => m.kana + s), ...m.aliases];
  return [...new Set(keys.map(normalizeText).filter((k) => k.length > 0))];
}

interface Candidate {
  key: string;
  municipality: Municipality;
  region: Region;
}

function candidates(preset: Preset): Candidate[] {
  return preset.regions.flatMap((region) =>
    region.municipalities.flatMap((municipality) =>
      municipalityKeys(municipality).map((key) => ({ key, municipality, region })),
    ),
  );
}

function toResult(c: Candidate): ResolvedMunicipality {
  return { municipality: c.municipality.name, regionId: c.region.id };
}

/** Drops the prefecture (山口県の萩 → 萩) so it is not taken for 山口市. */
function withoutPrefecture(normalized: string, preset: Preset): string {
  const pref = normalizeText(preset.name);
  return pref.length > 0 && normalized.startsWith(pref)
    ? normalized.slice(pref.length).replace(/^の/, "")
    : normalized;
}

export function resolveMunicipality(text: string, preset: Preset): ResolvedMunicipality | null {
  const normalized = withoutPrefecture(normalizeText(text), preset);
  const all = candidates(preset);
  // A name that itself ends like a polite ending (千代田 → ちよだ) is found as a contained name.
  const bare = normalized.replace(TRAILING_WORDS, "");
  const exact = all.find((c) => c.key === bare);
  if (exact) return toResult(exact);
  // Longest contained name wins, so 東吾妻 beats 吾妻 and 山陽小野田 beats 小野田.
  const contained = all
    .filter((c) => c.key.length >= MIN_CONTAINED_LENGTH && normalized.includes(c.key))
    .sort((a, b) => b.key.length - a.key.length);
  const best = contained[0];
  return best ? toResult(best) : null;
}

export function findRegion(preset: Preset, regionId: string): Region | undefined {
  return preset.regions.find((r) => r.id === regionId);
}
