import { recordAudit } from "../audit/audit-log";
import type { PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import type { Sealer } from "./sealer";
import {
  erasePerson,
  lockHer,
  openConversationsOf,
  readHerRecord,
  type HerRecord,
  type PersonErasure,
} from "./her-content";

/**
 * Who acts: an admin of the console (regionId null: every region), or the command line
 * (`npm run admin`, by null, with every region).
 */
export interface RightsActor {
  id: string | null;
  role: string;
  regionId: string | null;
  via: "console" | "admin-command";
}

/** The person found by her pseudonym, as the 管理 page shows her before acting (codes only). */
export interface PersonSummary {
  personId: string;
  pseudonym: string;
  firstSeenAt: string;
  conversations: number;
  openConversations: number;
  entries: number;
  regions: string[];
  erasedAt: string | null;
}

export interface PersonRightsService {
  find(actor: RightsActor, pseudonym: string): Promise<PersonSummary>;
  /** Erases her content (her request); `confirm` must repeat her pseudonym. */
  erase(actor: RightsActor, pseudonym: string, confirm: string): Promise<PersonErasure>;
  /** Her record for a disclosure request (開示請求), audited with the format asked for. */
  disclose(actor: RightsActor, pseudonym: string, format: "json" | "html"): Promise<HerRecord>;
}

/**
 * Her rights: erasure and disclosure for one person, by an admin, audited with ids and counts.
 *
 * Region rule: a global admin (and the command line) acts for anyone. An admin bound to a
 * region acts only for a woman all of whose records (conversations by her region and the queue
 * that served her, manual entries) are in that region: erasing or disclosing touches every
 * record of hers, and another region's records belong to the NPO that runs it. A woman with no
 * record in the admin's region is not found (404, as for any other region's id); one with
 * records there and elsewhere is refused (403 PERSON_OUTSIDE_REGION): a global admin acts.
 */
export function createPersonRightsService(deps: {
  prisma: PrismaClient;
  /** Opens her sealed words for a disclosure; the command line, which only erases, has none. */
  sealer?: Pick<Sealer, "open">;
  now?: () => Date;
}): PersonRightsService {
  const { prisma } = deps;
  const clock = deps.now ?? (() => new Date());

  async function locate(actor: RightsActor, pseudonym: string) {
    if (actor.role !== "admin") throw new AppError("FORBIDDEN", "Admins only", 403);
    const person = await prisma.person.findUnique({
      where: { pseudonym },
      select: {
        id: true,
        pseudonym: true,
        createdAt: true,
        erasedAt: true,
        conversations: { select: { regionId: true, servingRegionId: true, status: true } },
        entries: { select: { regionId: true } },
      },
    });
    const notFound = new AppError("PERSON_NOT_FOUND", "No person with this pseudonym", 404);
    if (!person) throw notFound;
    const regions = new Set<string | null>([
      ...person.conversations.flatMap((c) => [c.regionId, c.servingRegionId ?? c.regionId]),
      ...person.entries.map((e) => e.regionId),
    ]);
    if (actor.regionId !== null) {
      if (!regions.has(actor.regionId)) throw notFound;
      if ([...regions].some((r) => r !== actor.regionId))
        throw new AppError(
          "PERSON_OUTSIDE_REGION",
          "She also has records outside your region: an admin of every region must act",
          403,
        );
    }
    const summary: PersonSummary = {
      personId: person.id,
      pseudonym: person.pseudonym,
      firstSeenAt: person.createdAt.toISOString(),
      conversations: person.conversations.length,
      openConversations: person.conversations.filter((c) =>
        ["bot", "waiting", "active"].includes(c.status),
      ).length,
      entries: person.entries.length,
      regions: [...regions].filter((r): r is string => r !== null).sort(),
      erasedAt: person.erasedAt?.toISOString() ?? null,
    };
    return summary;
  }

  return {
    find: locate,

    async erase(actor, pseudonym, confirm) {
      const found = await locate(actor, pseudonym);
      if (confirm !== pseudonym)
        throw new AppError("CONFIRMATION_MISMATCH", "Type her pseudonym to confirm", 400);
      if (found.erasedAt !== null)
        throw new AppError("ALREADY_ERASED", "Her content was erased already", 409);
      return prisma.$transaction(async (tx) => {
        // Checked under the lock her events take: a conversation may have opened since (she
        // wrote), and none can open until this transaction ends.
        await lockHer(tx, found.personId);
        if ((await openConversationsOf(tx, found.personId)) > 0)
          throw new AppError(
            "PERSON_HAS_OPEN_CONVERSATION",
            "She has a conversation that is not closed: close it first",
            409,
          );
        const erased = await erasePerson(tx, found.personId, clock());
        await recordAudit(tx, {
          by: actor.id,
          action: "erase-person",
          detail: { personId: found.personId, via: actor.via, ...erased },
        });
        return erased;
      });
    },

    async disclose(actor, pseudonym, format) {
      const { sealer } = deps;
      if (!sealer)
        throw new AppError("NO_KEY", "Disclosure needs APP_SECRET_KEY to open her words");
      const found = await locate(actor, pseudonym);
      return prisma.$transaction(async (tx) => {
        const record = await readHerRecord(tx, found.personId, sealer);
        if (!record) throw new AppError("PERSON_NOT_FOUND", "No person with this pseudonym", 404);
        await recordAudit(tx, {
          by: actor.id,
          action: "disclose-person",
          detail: {
            personId: found.personId,
            via: actor.via,
            format,
            conversations: record.conversations.length,
            entries: record.entries.length,
          },
        });
        return record;
      });
    },
  };
}
