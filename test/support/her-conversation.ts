import type { PrismaClient } from "../../src/db/prisma-client";
import { createSealer } from "../../src/privacy/sealer";
import { testConfig } from "./test-env";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);

/** Her newest conversation, found as the service finds her: by the keyed hash of her LINE id. */
export function latestConversationOf(prisma: PrismaClient, userId: string) {
  return prisma.conversation.findFirstOrThrow({
    where: { person: { lineUserHash: sealer.hash(userId) } },
    orderBy: { startedAt: "desc" },
  });
}
