import { recordAudit } from "../audit/audit-log";
import type { CounsellorRole, PrismaClient, Tx } from "../db/prisma-client";
import { AppError } from "../errors";
import type { PartnerKind } from "../flows/flow-types";
import { directoryPartnerOf, servesRegion, type DirectoryPartner } from "./partner-directory";

/** Who acts on the directory or on referrals (the console's signed-in user). */
export interface PartnerActor {
  id: string;
  role: CounsellorRole;
  /** null: every region (supervisors and admins only). */
  regionId: string | null;
}

/**
 * The region whose records a user reaches; null = all. The rule of conversations and of the
 * task list (src/tasks/task-service.ts `taskRegionOf`): a counsellor her or his region only.
 */
export function reachOf(user: PartnerActor): string | null {
  if (user.role === "counsellor") return user.regionId ?? "";
  return user.regionId;
}

export interface PartnerInput {
  name: string;
  kind: PartnerKind;
  regions: string[];
  topics: string[];
  phone?: string | null | undefined;
  hours?: string | null | undefined;
  address?: string | null | undefined;
  howToRefer?: string | null | undefined;
  toConfirm?: boolean | undefined;
}

/** A partner as the console lists it: the directory's fields, and whether I may change it. */
export type PartnerView = DirectoryPartner & { editable: boolean };

const FIELDS = [
  "name",
  "kind",
  "regions",
  "topics",
  "phone",
  "hours",
  "address",
  "howToRefer",
  "toConfirm",
] as const;

/**
 * The partner directory as admins keep it in the console: add, edit, archive, restore; each
 * audited with the partner's id and the changed fields' names (never their words).
 *
 * Regions: a partner serves regions (or `all`). Everyone sees the partners of her or his region
 * (and the `all` ones); an admin of every region changes any partner; an admin of one region
 * changes only partners serving exactly that region (a partner of `all` or of two regions
 * belongs to the programme: the admin of every region keeps it). Outside what she sees, a
 * partner does not exist (404).
 */
export function createPartnerService(deps: {
  prisma: PrismaClient;
  /** The preset's region ids: a partner's regions are some of them, or `all`. */
  regionIds: readonly string[];
  /** The topic codes of the coding (src/conversations/coding.ts). */
  topics: readonly string[];
  now?: () => Date;
}) {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());

  const editable = (user: PartnerActor, regions: readonly string[]) =>
    user.role === "admin" &&
    (user.regionId === null || (regions.length === 1 && regions[0] === user.regionId));

  const view = (user: PartnerActor, p: DirectoryPartner): PartnerView => ({
    ...p,
    editable: editable(user, p.regions),
  });

  /** The fields as stored: trimmed, empty optional text as null; refused when they make no sense. */
  function checked(user: PartnerActor, input: PartnerInput) {
    const regions = [...new Set(input.regions)];
    const unknown = regions.filter((r) => r !== "all" && !deps.regionIds.includes(r));
    if (unknown.length > 0) {
      throw new AppError("UNKNOWN_REGION", "No such region", 400, unknown);
    }
    if (regions.includes("all") && regions.length > 1) {
      throw new AppError("INVALID_INPUT", "regions: `all` stands alone", 400, ["regions"]);
    }
    const badTopics = input.topics.filter((t) => !deps.topics.includes(t));
    if (badTopics.length > 0) {
      throw new AppError("UNKNOWN_TOPIC", "No such topic", 400, badTopics);
    }
    if (!editable(user, regions)) {
      throw new AppError(
        "PARTNER_OUT_OF_REGION",
        "A partner of other regions is kept by an admin of every region",
        403,
      );
    }
    const text = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);
    return {
      name: input.name.trim(),
      kind: input.kind,
      regions,
      topics: [...new Set(input.topics)],
      phone: text(input.phone),
      hours: text(input.hours),
      address: text(input.address),
      howToRefer: text(input.howToRefer),
      toConfirm: input.toConfirm ?? false,
    };
  }

  /** Names are unique: the report counts closings' referrals by name. */
  async function assertNameFree(tx: Tx, name: string, except?: string) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('partner-name'))`;
    const same = await tx.partner.findFirst({
      where: { name, ...(except ? { id: { not: except } } : {}) },
      select: { id: true },
    });
    if (same) throw new AppError("PARTNER_NAME_TAKEN", "A partner has that name already", 409);
  }

  /** The partner, locked, if the user sees it; else 404; 403 when she sees it but may not change it. */
  async function editableRow(tx: Tx, user: PartnerActor, id: string) {
    await tx.$executeRaw`SELECT 1 FROM partner WHERE id = ${id}::uuid FOR UPDATE`;
    const row = await tx.partner.findUnique({ where: { id } });
    if (!row || !servesRegion(row, reachOf(user))) {
      throw new AppError("NOT_FOUND", "No such partner", 404);
    }
    if (!editable(user, row.regions)) {
      throw new AppError(
        "PARTNER_OUT_OF_REGION",
        "A partner of other regions is kept by an admin of every region",
        403,
      );
    }
    return row;
  }

  return {
    /** The partners of my region (archived ones on request), by name. */
    async list(user: PartnerActor, includeArchived: boolean): Promise<PartnerView[]> {
      const rows = await prisma.partner.findMany({
        where: includeArchived ? {} : { archivedAt: null },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
      return rows
        .filter((r) => servesRegion(r, reachOf(user)))
        .map((r) => view(user, directoryPartnerOf(r)));
    },

    async one(user: PartnerActor, id: string): Promise<PartnerView> {
      const row = await prisma.partner.findUnique({ where: { id } });
      if (!row || !servesRegion(row, reachOf(user))) {
        throw new AppError("NOT_FOUND", "No such partner", 404);
      }
      return view(user, directoryPartnerOf(row));
    },

    create(user: PartnerActor, input: PartnerInput): Promise<{ id: string }> {
      const data = checked(user, input);
      return prisma.$transaction(async (tx) => {
        await assertNameFree(tx, data.name);
        const row = await tx.partner.create({
          data: { ...data, createdAt: now(), updatedAt: now() },
          select: { id: true },
        });
        await recordAudit(tx, {
          by: user.id,
          action: "partner-create",
          detail: { partnerId: row.id, kind: data.kind, regions: data.regions },
        });
        return row;
      });
    },

    /** Changes the fields given; audited with their names. */
    update(user: PartnerActor, id: string, patch: Partial<PartnerInput>): Promise<void> {
      return prisma.$transaction(async (tx) => {
        const row = await editableRow(tx, user, id);
        const data = checked(user, {
          name: patch.name ?? row.name,
          kind: patch.kind ?? (row.kind as PartnerKind),
          regions: patch.regions ?? row.regions,
          topics: patch.topics ?? row.topics,
          phone: patch.phone === undefined ? row.phone : patch.phone,
          hours: patch.hours === undefined ? row.hours : patch.hours,
          address: patch.address === undefined ? row.address : patch.address,
          howToRefer: patch.howToRefer === undefined ? row.howToRefer : patch.howToRefer,
          toConfirm: patch.toConfirm ?? row.toConfirm,
        });
        if (data.name !== row.name) await assertNameFree(tx, data.name, id);
        const changed = FIELDS.filter((f) => JSON.stringify(data[f]) !== JSON.stringify(row[f]));
        if (changed.length === 0) return;
        await tx.partner.update({ where: { id }, data: { ...data, updatedAt: now() } });
        await recordAudit(tx, {
          by: user.id,
          action: "partner-update",
          detail: { partnerId: id, changed },
        });
      });
    },

    /**
     * Archived: no longer offered (cards, new referrals); kept for past referrals and the report.
     * Restored: offered again. Doing what is already so changes nothing.
     */
    setArchived(user: PartnerActor, id: string, archived: boolean): Promise<void> {
      return prisma.$transaction(async (tx) => {
        const row = await editableRow(tx, user, id);
        if ((row.archivedAt !== null) === archived) return;
        await tx.partner.update({
          where: { id },
          data: { archivedAt: archived ? now() : null, updatedAt: now() },
        });
        await recordAudit(tx, {
          by: user.id,
          action: archived ? "partner-archive" : "partner-restore",
          detail: { partnerId: id },
        });
      });
    },
  };
}

export type PartnerService = ReturnType<typeof createPartnerService>;
