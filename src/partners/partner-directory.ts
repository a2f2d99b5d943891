import type { Partner as PartnerRow, PrismaClient, Tx } from "../db/prisma-client";
import type { Partner as PresetPartner, Preset } from "../flows/flow-types";

/** A partner as the directory holds it: the preset's fields, an id, and whether it is archived. */
export interface DirectoryPartner extends PresetPartner {
  id: string;
  archived: boolean;
  /** Seeded from the preset (its key stays, so an edit is never overwritten at the next start). */
  fromPreset: boolean;
}

/**
 * Puts the preset's partners into the directory, once each: a preset partner whose key (its
 * preset name) is already there is left as it is, so what admins edited or archived in the
 * console stays after every start. Safe to run at every start and from two processes at once.
 * Returns how many were added.
 */
export async function seedPartnerDirectory(prisma: PrismaClient, preset: Preset): Promise<number> {
  if (preset.partners.length === 0) return 0;
  const added = await prisma.partner.createMany({
    data: preset.partners.map((p) => ({
      name: p.name,
      kind: p.kind,
      regions: p.regions,
      topics: p.topics,
      phone: p.phone ?? null,
      hours: p.hours ?? null,
      address: p.address ?? null,
      howToRefer: p.howToRefer ?? null,
      toConfirm: p.toConfirm,
      presetKey: p.name,
    })),
    skipDuplicates: true,
  });
  return added.count;
}

export function directoryPartnerOf(r: PartnerRow): DirectoryPartner {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as PresetPartner["kind"],
    regions: r.regions,
    topics: r.topics,
    phone: r.phone ?? undefined,
    hours: r.hours ?? undefined,
    address: r.address ?? undefined,
    howToRefer: r.howToRefer ?? undefined,
    toConfirm: r.toConfirm,
    archived: r.archivedAt !== null,
    fromPreset: r.presetKey !== null,
  };
}

/** Does a partner serve this region (its regions name it, or `all`)? null: every region. */
export function servesRegion(p: { regions: readonly string[] }, region: string | null): boolean {
  return region === null || p.regions.includes("all") || p.regions.includes(region);
}

/**
 * The directory, by name; archived partners only when asked (past referrals, the report);
 * `region`: only the partners serving that region.
 */
export async function listPartners(
  prisma: PrismaClient | Tx,
  options: { includeArchived?: boolean; region?: string | null } = {},
): Promise<DirectoryPartner[]> {
  const rows = await prisma.partner.findMany({
    where: options.includeArchived ? {} : { archivedAt: null },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return rows.filter((r) => servesRegion(r, options.region ?? null)).map(directoryPartnerOf);
}

/**
 * Every name the directory has had a partner under (archived ones too): a closing's referral
 * naming one is coded by that name (src/flows/referrals.ts `codedReferrals`).
 */
export async function partnerNames(prisma: PrismaClient | Tx): Promise<string[]> {
  const rows = await prisma.partner.findMany({ select: { name: true }, orderBy: { name: "asc" } });
  return rows.map((r) => r.name);
}
