import type { Prisma, PrismaClient } from "../../src/db/prisma-client";
import { createSealer } from "../../src/privacy/sealer";
import { testConfig } from "./test-env";

/** The service's sealer in tests (APP_SECRET_KEY of testConfig): what it sealed, tests open. */
export const testSealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

/** A stored text, opened (her words, notes and replies are sealed at rest). */
export const opened = (sealed: Uint8Array | null) => (sealed ? testSealer.open(sealed) : null);

/**
 * The stored messages (with their delivery) matching `where` whose text passes `match` (a text,
 * or a test of it), in the order they were said. Texts are sealed, so they are opened to compare.
 */
export async function messagesWithText(
  prisma: PrismaClient,
  where: Prisma.MessageWhereInput,
  match: string | ((text: string) => boolean),
) {
  const rows = await prisma.message.findMany({
    where: { ...where, textEnc: { not: null } },
    orderBy: [{ sentAt: "asc" }, { createdAt: "asc" }],
    include: { delivery: true },
  });
  const test = typeof match === "string" ? (t: string) => t === match : match;
  return rows.map((m) => ({ ...m, text: opened(m.textEnc) ?? "" })).filter((m) => test(m.text));
}
