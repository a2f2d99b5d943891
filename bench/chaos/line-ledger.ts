/**
 * What the chaos harness reads from the simulated LINE, and how it steers it: every message
 * that reached a woman's phone (by reply or push, with LINE's request id), every reply or push
 * call the service made with the status it got, and faults to inject. The run counts from this
 * and from the database, never from the service's own logs.
 */
import express, { type Router } from "express";
import type { LineSimulator } from "../../src/simulator/line-simulator";
import type { FaultSpec, RequestLogEntry } from "../../src/simulator/simulator-types";

/** A message on her phone. */
export interface Delivered {
  userId: string;
  via: "reply" | "push";
  /** The request that delivered it (see MessageCall.requestId). */
  requestId: string;
  text: string | undefined;
}

/** A reply or push call the service made, and what became of it. */
export interface MessageCall {
  requestId: string;
  kind: "reply" | "push";
  status: RequestLogEntry["status"];
  /** The texts of its messages. */
  texts: string[];
}

export interface Ledger {
  deliveries: Delivered[];
  calls: MessageCall[];
}

const KINDS = { "/v2/bot/message/reply": "reply", "/v2/bot/message/push": "push" } as const;

/** `/persons` (new women), `/ledger`, `/faults` (POST a list, DELETE all). */
export function ledgerRouter(sim: LineSimulator): Router {
  const userIds: string[] = [];
  const router = express.Router();
  router.use(express.json({ limit: "1mb" }));
  router.post("/persons", (_req, res) => {
    const person = sim.person();
    userIds.push(person.userId);
    res.status(201).json({ userId: person.userId });
  });
  router.get("/ledger", (_req, res) => {
    res.json({ deliveries: deliveries(sim, userIds), calls: calls(sim) } satisfies Ledger);
  });
  router.post("/faults", (req, res) => {
    const { faults } = req.body as { faults: FaultSpec[] };
    for (const fault of faults) sim.injectFault(fault);
    res.status(204).end();
  });
  router.delete("/faults", (_req, res) => {
    sim.clearFaults();
    res.status(204).end();
  });
  return router;
}

function deliveries(sim: LineSimulator, userIds: string[]): Delivered[] {
  return userIds.flatMap((userId) =>
    (sim.personById(userId)?.received() ?? []).map((m) => ({
      userId,
      via: m.via,
      requestId: m.requestId,
      text: m.text,
    })),
  );
}

function calls(sim: LineSimulator): MessageCall[] {
  return sim.requests().flatMap((entry) => {
    const kind = KINDS[entry.path as keyof typeof KINDS];
    if (!kind) return [];
    const messages = (entry.body as { messages?: { text?: unknown }[] } | undefined)?.messages;
    const texts = (messages ?? []).flatMap((m) => (typeof m.text === "string" ? [m.text] : []));
    return [{ requestId: entry.requestId, kind, status: entry.status, texts }];
  });
}
