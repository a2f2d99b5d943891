/**
 * Before the load: counsellors' accounts, women who add the account and ask for a counsellor
 * (the handoff word, so each is in the queue at once), and each conversation claimed by one
 * counsellor. Then every message she writes waits for her counsellor, and the bot stays silent.
 */
import { createCounsellor } from "../../src/console/auth-service";
import { createPrismaClient } from "../../src/db/prisma-client";
import { createSealer } from "../../src/privacy/sealer";
import type { Cluster } from "./cluster";
import { CounsellorSession } from "./counsellor-session";
import type { DatabaseProbe } from "./database-probe";
import type { Pair } from "./steady-load";

const PASSWORD = "chaos-password-0123";
/** With no municipality given, her conversation goes to the preset's first region. */
const REGION = "chuhoku";

export async function setUp(
  cluster: Cluster,
  db: DatabaseProbe,
  size: { women: number; counsellors: number },
): Promise<Pair[]> {
  const logins = Array.from({ length: size.counsellors }, (_, i) => `chaos${i}`);
  const prisma = createPrismaClient(cluster.databaseUrl, 2);
  try {
    await Promise.all(
      logins.map((loginName, i) =>
        createCounsellor(prisma, {
          loginName,
          displayName: `相談員${i + 1}`,
          password: PASSWORD,
          role: "counsellor",
          regionId: REGION,
        }),
      ),
    );
  } finally {
    await prisma.$disconnect();
  }
  const sessions = await Promise.all(
    logins.map((login) => CounsellorSession.signIn(cluster.webUrl, login, PASSWORD)),
  );
  const women = await Promise.all(
    Array.from({ length: size.women }, async () => {
      const userId = await cluster.line.newPerson();
      await cluster.line.follow(userId);
      await cluster.line.say(userId, "相談員と話したいです");
      return userId;
    }),
  );
  const conversations = await waitingConversations(cluster, db, women);
  return Promise.all(
    women.map(async (userId, i) => {
      const conversationId = conversations.get(userId) ?? "";
      const counsellor = sessions[i % sessions.length] as CounsellorSession;
      const status = await counsellor.claim(conversationId);
      if (status !== 200) throw new Error(`claiming her conversation answered ${status}`);
      return { userId, conversationId, counsellor };
    }),
  );
}

/** Each woman's conversation once it waits in the queue; the service knows her by a keyed hash. */
async function waitingConversations(
  cluster: Cluster,
  db: DatabaseProbe,
  women: string[],
): Promise<Map<string, string>> {
  const sealer = createSealer(cluster.appSecretKey);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await db.query<{ id: string; hash: string }>(
      `SELECT c.id::text, p.line_user_hash AS hash FROM conversation c
       JOIN person p ON p.id = c.person_id WHERE c.status = 'waiting'`,
    );
    const byHash = new Map(rows.map((r) => [r.hash, r.id]));
    const found = new Map(women.map((w) => [w, byHash.get(sealer.hash(w))]));
    if ([...found.values()].every((id) => id !== undefined)) return found as Map<string, string>;
    if (Date.now() > deadline) throw new Error("not every woman reached the queue in a minute");
    await new Promise((r) => setTimeout(r, 200));
  }
}
