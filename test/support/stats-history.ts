import { testSealer } from "./sealed";
import { randomBytes, randomUUID } from "node:crypto";
import type { ConversationStatus, PrismaClient } from "../../src/db/prisma-client";
import { pseudonymFor } from "../../src/privacy/pseudonym";

/** "2025-04-01 09:30" in Tokyo, as an instant. */
export const jst = (local: string): Date => new Date(`${local.replace(" ", "T")}:00+09:00`);

export interface LineSession {
  person: string;
  /** Tokyo local times, "YYYY-MM-DD HH:MM". */
  start: string;
  waiting?: string;
  answered?: string;
  closed?: string;
  status?: ConversationStatus;
  region?: string | null;
  topics?: string[];
  ageBand?: string | null;
  referrals?: string[];
  followUps?: string[];
  risk?: string;
  endReason?: string;
  counsellor?: string;
  /** Messages she sent (0: she only added the account and got the greeting). */
  herMessages?: number;
  awareness?: string;
}

export interface Entry {
  channel: "phone" | "email" | "visit" | "outreach" | "accompany";
  start: string;
  region: string;
  counsellor: string;
  person?: string;
  caseRef?: string;
  firstContact?: boolean;
  topics?: string[];
  ageBand?: string | null;
  referrals?: string[];
  followUps?: string[];
  risk?: string;
}

function defaultStatus(s: LineSession): ConversationStatus {
  if (s.answered) return "closed";
  return s.waiting ? "abandoned" : "closed";
}

/** Writes known histories straight into the database: persons, conversations, entries. */
export function statsHistory(prisma: PrismaClient) {
  const at = (local: string | undefined) => (local ? jst(local) : null);
  return {
    async person(): Promise<{ id: string; pseudonym: string }> {
      const hash = randomBytes(16).toString("hex");
      return prisma.person.create({
        data: { lineUserHash: hash, lineUserIdEnc: randomBytes(8), pseudonym: pseudonymFor(hash) },
        select: { id: true, pseudonym: true },
      });
    },

    async counsellor(regionId: string | null): Promise<string> {
      const c = await prisma.counsellor.create({
        data: {
          loginName: `c-${randomUUID()}`,
          displayName: "相談員",
          passwordHash: "x",
          role: "counsellor",
          regionId,
        },
      });
      return c.id;
    },

    async line(s: LineSession): Promise<string> {
      const startedAt = jst(s.start);
      const status = s.status ?? defaultStatus(s);
      const c = await prisma.conversation.create({
        data: {
          personId: s.person,
          status,
          startedAt,
          lastMessageAt: startedAt,
          waitingSince: at(s.waiting),
          firstResponseAt: at(s.answered),
          closedAt:
            at(s.closed) ?? (status === "closed" || status === "abandoned" ? startedAt : null),
          closedById: s.answered ? (s.counsellor ?? null) : null,
          regionId: s.region ?? null,
          topics: s.topics ?? [],
          ageBand: s.ageBand ?? null,
          referrals: s.referrals ?? [],
          followUps: s.followUps ?? [],
          riskLevel: s.risk ?? "none",
          endReason: s.endReason ?? (s.answered ? "completed" : null),
          triageAnswers: s.awareness ? { awareness: s.awareness } : {},
        },
      });
      const count = s.herMessages ?? 1;
      if (count > 0) {
        await prisma.message.createMany({
          data: Array.from({ length: count }, (_, i) => ({
            conversationId: c.id,
            personId: s.person,
            direction: "in" as const,
            author: "person",
            kind: "text",
            textEnc: testSealer.seal("…"),
            sentAt: new Date(startedAt.getTime() + i * 1000),
          })),
        });
      }
      return c.id;
    },

    async entry(e: Entry): Promise<string> {
      const row = await prisma.consultationEntry.create({
        data: {
          channel: e.channel,
          regionId: e.region,
          personId: e.person ?? null,
          caseRef: e.caseRef ?? null,
          firstContact: e.firstContact ?? null,
          startedAt: jst(e.start),
          topics: e.topics ?? [],
          ageBand: e.ageBand ?? null,
          referrals: e.referrals ?? [],
          followUps: e.followUps ?? [],
          riskLevel: e.risk ?? "none",
          counsellorId: e.counsellor,
        },
      });
      return row.id;
    },
  };
}
