import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import type { ConsoleUser } from "../http/auth-middleware";
import { conversationScope } from "../conversations/conversation-scope";

interface Times {
  conversation_id: string;
  last_in: Date | null;
  last_reply: Date | null;
  unanswered_since: Date | null;
}

/**
 * The supervisors' monitor: every active chat in the caller's scope, with who has her, when she
 * last wrote, when a counsellor last answered, and since when she has been waiting for an answer
 * (her first message after the last reply, or after she joined the queue when nobody has
 * answered yet). Longest unanswered first: the chat that needs a look is at the top.
 */
export function createMonitorPresenter(deps: { prisma: PrismaClient; preset: Preset }) {
  const { prisma, preset } = deps;
  const regionName = (id: string | null) => preset.regions.find((r) => r.id === id)?.name ?? null;

  return async function monitor(user: ConsoleUser) {
    const chats = await prisma.conversation.findMany({
      where: { AND: [conversationScope(user), { status: "active" }] },
      include: {
        person: { select: { pseudonym: true } },
        assignedTo: { select: { id: true, displayName: true } },
      },
    });
    if (chats.length === 0) return [];
    const times = await prisma.$queryRaw<Times[]>`
      SELECT c.id AS conversation_id,
             t.last_in, t.last_reply,
             (SELECT min(m.sent_at) FROM message m
               WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.unsent_at IS NULL
                 AND m.sent_at > COALESCE(t.last_reply, c.waiting_since, c.started_at)
             ) AS unanswered_since
        FROM conversation c
        CROSS JOIN LATERAL (
          SELECT max(m.sent_at) FILTER (WHERE m.direction = 'in') AS last_in,
                 max(m.sent_at) FILTER (WHERE m.direction = 'out' AND m.author = 'counsellor')
                   AS last_reply
            FROM message m WHERE m.conversation_id = c.id
        ) t
       WHERE c.id = ANY(${chats.map((c) => c.id)}::uuid[])`;
    const byId = new Map(times.map((t) => [t.conversation_id, t]));
    const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
    return chats
      .map((c) => {
        const t = byId.get(c.id);
        return {
          id: c.id,
          pseudonym: c.person.pseudonym,
          regionId: c.regionId,
          regionName: regionName(c.regionId),
          counsellor: c.assignedTo,
          riskLevel: c.riskLevel,
          riskCategories: c.riskCategories,
          assignedAt: iso(c.assignedAt),
          lastHerMessageAt: iso(t?.last_in),
          lastReplyAt: iso(t?.last_reply),
          unansweredSince: iso(t?.unanswered_since),
        };
      })
      .sort((a, b) => waited(a.unansweredSince) - waited(b.unansweredSince));
  };
}

/** Unanswered longest first; answered chats after, in any order. */
const waited = (since: string | null) => (since ? Date.parse(since) : Number.MAX_SAFE_INTEGER);

export type MonitorPresenter = ReturnType<typeof createMonitorPresenter>;
