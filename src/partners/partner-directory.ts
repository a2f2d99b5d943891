import type { PrismaClient } from "../db/prisma-client";
import type { Partner as PresetPartner, Preset } from "../flows/flow-types";

/** A partner as the directory holds it: the preset's fields, an id, and whether it is archived. */
export interface DirectoryPartner extends PresetPartner {
  id: string;
  archived: boolean;
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

/** The directory, by name; archived partners only when asked (past referrals, the report). */
export async function listPartners(
  prisma: PrismaClient,
  options: { includeArchived?: boolean } = {},
): Promise<DirectoryPartner[]> {
  const rows = await prisma.partner.findMany({
    where: options.includeArchived ? {} : { archivedAt: null },
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return rows.map((r) => ({
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
  }));
}
