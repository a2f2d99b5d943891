import type { Response } from "express";
import { Client } from "pg";
import { reportConnectionLost, type Logger } from "../logger";
import { RISK_IN_CHAT } from "../conversations/chat-safety";
import { regionsOf } from "../conversations/conversation-scope";
import type { ConsoleUser } from "../http/auth-middleware";

/** What the database announces on `lws_console` (see the console_notify migration). */
type Notice = ConsoleNotice | SessionEnded;

interface ConsoleNotice {
  type: "queue" | "message" | "alert" | "note" | "delivery";
  kind?: string;
  conversationId: string;
  regionId: string | null;
  overflowRegions: string[] | null;
  /** Of a message, alert or note notice: the counsellor who has the conversation, if anyone does. */
  assignedToId?: string | null;
  /** Of a whisper (a note of kind "whisper"): the counsellor it is for. */
  toCounsellorId?: string | null;
  /** Of a message: her words ("in") or words to her ("out"), and its place in the conversation. */
  direction?: "in" | "out";
  seq?: number;
  /** Of a delivery: its new status, and the places (seq) of the counsellor's messages it carries. */
  status?: "pending" | "sent" | "failed" | "skipped";
  seqs?: number[];
}

/** A session was deleted (the account_lifecycle migration): its streams end, here and elsewhere. */
interface SessionEnded {
  type: "session-ended";
  sessionId: string;
}

interface Listener {
  user: ConsoleUser;
  res: Response;
}

export interface LiveEvents {
  /**
   * Streams this user's events as Server-Sent Events until the client goes away or the
   * session ends (signed out, ended, the account deactivated or its password reset).
   */
  subscribe(user: ConsoleUser, res: Response): void;
  close(): Promise<void>;
}

const PING_MS = 25_000;

/** Her line in the queue (as the queue lists it): what a notice of her words carries. */
export interface HerLineChange {
  preview: string;
  unread: number;
}

/**
 * One LISTEN connection per web process fans the database's notices out to the consoles
 * connected here, each filtered to the regions its user may see. Several web processes each
 * get every notice, so a change made anywhere shows everywhere.
 *
 * A notice of her words carries her line's new preview and unread count (`herLine`, read once
 * here for every console that lists her), so the pages patch their queue instead of each
 * fetching it again. Notices go out in the order they came, that read included.
 */
export async function startLiveEvents(
  databaseUrl: string,
  logger: Logger,
  herLine: (conversationId: string) => Promise<HerLineChange | undefined>,
): Promise<LiveEvents> {
  const listeners = new Set<Listener>();
  let client: Client | undefined;
  let closing = false;
  let retry: NodeJS.Timeout | undefined;

  /** Every second until connected again (the database may stay down a while), never after close. */
  const reconnect = () => {
    if (closing || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (!closing) connect().catch(reconnect);
    }, 1000);
  };

  const connect = async () => {
    const next = new Client({ connectionString: databaseUrl });
    next.on("notification", (msg) => msg.payload && dispatch(JSON.parse(msg.payload) as Notice));
    next.on("error", (error) => {
      reconnect();
      const message = "live events connection lost; reconnecting";
      reportConnectionLost(logger, () => closing, message, error.message);
    });
    await next.connect().catch(async (error: unknown) => {
      await next.end().catch(() => undefined);
      throw error;
    });
    await next.query("LISTEN lws_console");
    client = next;
    // Notices sent while this connection was down are lost (NOTIFY is not stored): every
    // console fetches again all it shows, the open conversation and the alerts included, and
    // the streams of sessions that ended meanwhile end now.
    for (const l of listeners) write(l.res, "resync", {});
    await endStreamsOfEndedSessions([...listeners]);
  };

  /** One query at a time on the LISTEN connection (pg queues them, but will stop doing so). */
  let queries: Promise<unknown> = Promise.resolve();
  /** Ends the streams among `some` whose session is gone (checked on the LISTEN connection). */
  const endStreamsOfEndedSessions = (some: Listener[]): Promise<void> => {
    const check = async () => {
      const open = some.filter((l) => listeners.has(l));
      if (!client || open.length === 0) return;
      const ids = [...new Set(open.map((l) => l.user.sessionId))];
      const alive = await client
        .query<{ id: string }>("SELECT id FROM console_session WHERE id = ANY($1::uuid[])", [ids])
        .then((r) => new Set(r.rows.map((row) => row.id)))
        .catch(() => undefined);
      if (!alive) return;
      for (const l of open) if (!alive.has(l.user.sessionId) && listeners.has(l)) end(l);
    };
    const run = queries.then(check);
    queries = run.catch(() => undefined);
    return run;
  };

  /** Tells the page why (it shows the sign-in form), then ends the stream. */
  const end = (l: Listener) => {
    listeners.delete(l);
    write(l.res, "session-ended", {});
    l.res.end();
  };

  /** The notices in order: one waits while the one before it reads her line. */
  let dispatching: Promise<void> = Promise.resolve();
  const dispatch = (notice: Notice) => {
    dispatching = dispatching.then(() => dispatchNow(notice));
  };
  const dispatchNow = async (notice: Notice): Promise<void> => {
    if (notice.type === "session-ended") {
      for (const l of listeners) if (l.user.sessionId === notice.sessionId) end(l);
      return;
    }
    const to = [...listeners].filter((l) => visible(l.user, notice) && concerns(l.user, notice));
    if (to.length === 0) return;
    // Without her line (the database unreachable a moment) the pages fetch their queue.
    const line =
      notice.type === "message" && notice.direction === "in"
        ? await herLine(notice.conversationId).catch((error: unknown) => {
            logger.warn({ err: String(error) }, "live events: her queue line not read");
            return undefined;
          })
        : undefined;
    // One text for every console told (a waiting woman's words go to all of her region's).
    const text = frame(notice.type, { ...eventData(notice), ...line });
    for (const l of to) if (listeners.has(l)) l.res.write(text);
  };

  await connect();
  const ping = setInterval(() => listeners.forEach((l) => l.res.write(": ping\n\n")), PING_MS);
  ping.unref();

  return {
    subscribe(user, res) {
      res.status(200).set({
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.flushHeaders();
      res.write("retry: 2000\n\n");
      const listener = { user, res };
      listeners.add(listener);
      res.on("close", () => listeners.delete(listener));
      // The session may have ended between the sign-in check and now, its notice gone past.
      void endStreamsOfEndedSessions([listener]);
    },
    async close() {
      closing = true;
      clearTimeout(retry);
      clearInterval(ping);
      for (const l of listeners) l.res.end();
      listeners.clear();
      await client?.end().catch(() => undefined);
    },
  };
}

/** What the page is told: ids and what changed, never the regions or the assignee used to filter. */
function eventData(notice: ConsoleNotice): Record<string, unknown> {
  const { conversationId } = notice;
  switch (notice.type) {
    case "alert":
    case "note":
      return { kind: notice.kind, conversationId };
    case "delivery":
      return { conversationId, status: notice.status, seqs: notice.seqs };
    default:
      // direction and seq: a message's only (undefined is left out of the JSON).
      return { conversationId, direction: notice.direction, seq: notice.seq };
  }
}

function visible(user: ConsoleUser, notice: ConsoleNotice): boolean {
  const scope = regionsOf(user);
  if (scope === null) return true;
  return notice.regionId === scope || (notice.overflowRegions ?? []).includes(scope);
}

/** Alerts about her chat that the counsellor who has her gets too (a banner and a sound). */
const CHAT_ALERT_KINDS = new Set([RISK_IN_CHAT]);

/**
 * Alerts are for supervisors, and those about a chat also for the counsellor who has her. A
 * message in a conversation a counsellor has, or what became of one sent to her, is for that
 * counsellor and for supervisors: another counsellor's queue does not list it (the queue shows
 * the waiting ones and her own), so she has nothing to refresh. A note or a whisper is for
 * supervisors and the counsellor who has her (a whisper: the counsellor it is for), so it shows
 * on both screens at once.
 */
function concerns(user: ConsoleUser, notice: ConsoleNotice): boolean {
  if (user.role !== "counsellor") return true;
  if (notice.type === "note") {
    if (notice.kind === "whisper") return notice.toCounsellorId === user.id;
    return notice.assignedToId === user.id;
  }
  if (notice.type === "alert") {
    return CHAT_ALERT_KINDS.has(notice.kind ?? "") && notice.assignedToId === user.id;
  }
  if ((notice.type === "message" || notice.type === "delivery") && notice.assignedToId) {
    return notice.assignedToId === user.id;
  }
  return true;
}

function write(res: Response, event: string, data: unknown): void {
  res.write(frame(event, data));
}

/** One Server-Sent Event. */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
