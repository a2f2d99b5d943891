/**
 * bench:console's consoles: one signed-in account each, with its live-events stream, doing on
 * each event what the console page does (src/console/public/js/app.js and queue.js), so the
 * service pays in the bench what it pays for a real room of counsellors:
 * - `queue` events: the queue fetched again, 200 ms after the last event (the page's debounce),
 *   never two fetches at once (one more after the one in flight);
 * - `message` events of her words (direction `in`): her line patched from the event (its unread
 *   count), the queue fetched only if the list does not show her; a message to her changes
 *   nothing the queue shows;
 * - `message` for the open conversation: the messages after the last one shown fetched
 *   (debounced); one while a reply of the page is on its way is held: the fetch after the send
 *   shows it; `note`: the whole view fetched again;
 * - a reply sent: the messages after the last one shown fetched once the send is answered
 *   (reply-box.js);
 * - `delivery`: nothing fetched (the page patches the message's state);
 * - `alert`: the alerts fetched again (debounced); `resync`: everything shown;
 * - a conversation fetched (the fetch marks her messages read): its unread count set to 0.
 * Counts every fetch, so the bench can print what the page costs.
 */
import { ConsoleClient } from "../../test/support/console-client";

/** The page's debounce before it fetches again after a live event. */
const LIVE_DEBOUNCE_MS = 200;

/** What the page keeps of a conversation it fetched: its messages, in order. */
type Shown = { messages: { text: string | null; seq: number }[] };

export interface PageFetches {
  queue: number;
  /** The whole view of a conversation (on opening it). */
  conversation: number;
  /** Only the messages after those shown (a message event, a send). */
  newMessages: number;
  alerts: number;
}

export class ConsolePage {
  readonly fetches: PageFetches = { queue: 0, conversation: 0, newMessages: 0, alerts: 0 };
  /** The conversation shown, as when a counsellor has clicked it in her list. */
  private openId: string | undefined;
  /** What the page last fetched of each conversation, and who waits for its next fetch. */
  private readonly views = new Map<string, Shown>();
  /** Replies on their way, and whether a message event came meanwhile. */
  private sends = 0;
  private held = false;
  private loadWaiters: { id: string; resolve: () => void }[] = [];
  /** Unread counts of my chats and others', as the last queue fetch listed them. */
  private unread = new Map<string, number>();
  private eventWaiters = new Map<string, (() => void)[]>();
  private queueLoop: Promise<void> | undefined;
  private queueAgain = false;
  private closeStream: () => void = () => undefined;
  private readonly debounced = new Map<string, NodeJS.Timeout>();
  private closed = false;

  private constructor(private readonly client: ConsoleClient) {}

  static async signedIn(base: string, login: string, password: string): Promise<ConsolePage> {
    const page = new ConsolePage(await ConsoleClient.signedIn(base, login, password));
    const stream = await page.client.events(({ event, data }) => page.onEvent(event, data));
    page.closeStream = () => stream.close();
    void page.refreshQueue().catch(() => undefined);
    return page;
  }

  /** A request the counsellor makes; anything but a 2xx stops the bench, saying why. */
  async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await this.client.call(method, path, body);
    if (res.status >= 300) {
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
    }
    return res.json;
  }

  /** Resolves on the next `message` live event of conversation `id`. */
  nextMessageEvent(id: string): Promise<void> {
    return new Promise((resolve) =>
      this.eventWaiters.set(id, [...(this.eventWaiters.get(id) ?? []), resolve]),
    );
  }

  /**
   * Resolves once the page shows `text` in conversation `id`: if it is open, after the page's own
   * fetch on the live event; otherwise the counsellor clicks it in her list (one fetch).
   */
  async shows(id: string, text: string): Promise<void> {
    for (;;) {
      if (this.openId !== id) {
        this.openId = id;
        this.resolveLoads((w) => w.id !== id);
        await this.loadOpen({ whole: true });
      }
      if (this.views.get(id)?.messages?.some((m) => m.text === text)) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 30_000); // the page's fallback
        this.loadWaiters.push({ id, resolve: () => (clearTimeout(timer), resolve()) });
      });
    }
  }

  /** A counsellor's reply, as the page sends it: then the conversation fetched once. */
  async send(id: string, text: string): Promise<void> {
    this.sends++;
    try {
      await this.call("POST", `/api/v1/conversations/${id}/messages`, { text });
    } catch (error) {
      if (this.held) void this.loadOpen().catch(() => undefined);
      throw error;
    } finally {
      this.sends--;
      this.held = false;
    }
    if (this.openId === id) await this.loadOpen();
  }

  /** Closes the page: no more fetches, whatever was pending. */
  close(): void {
    this.closed = true;
    this.closeStream();
    for (const timer of this.debounced.values()) clearTimeout(timer);
  }

  private onEvent(event: string, data: unknown): void {
    const { conversationId, direction } =
      (data as { conversationId?: string; direction?: string } | null) ?? {};
    if (event === "message" && conversationId) {
      const waiting = this.eventWaiters.get(conversationId) ?? [];
      this.eventWaiters.delete(conversationId);
      waiting.forEach((resolve) => resolve());
    }
    if (event === "message" && direction !== "out") this.herLineChanged(conversationId, data);
    if (event === "queue") this.later("queue", () => this.refreshQueue());
    const open = conversationId === this.openId;
    const held = event === "message" && open && this.sends > 0;
    if (held) this.held = true;
    if (event === "message" && open && !held) this.later("open", () => this.loadOpen());
    if (event === "note" && open) this.later("open", () => this.loadOpen({ whole: true }));
    if (event === "alert") this.later("alerts", () => this.refreshAlerts());
    if (event === "resync") {
      this.later("queue", () => this.refreshQueue());
      this.later("open", () => this.loadOpen({ whole: true }));
      this.later("alerts", () => this.refreshAlerts());
    }
  }

  /** As app.js: her line patched from the event if listed, else the queue fetched. */
  private herLineChanged(id: string | undefined, data: unknown): void {
    const { unread } = (data as { unread?: unknown } | null) ?? {};
    if (id && typeof unread === "number" && this.unread.has(id)) this.unread.set(id, unread);
    else this.later("queue", () => this.refreshQueue());
  }

  private later(key: string, fetch: () => Promise<void>): void {
    if (this.closed) return;
    clearTimeout(this.debounced.get(key));
    this.debounced.set(
      key,
      setTimeout(() => void fetch().catch(() => undefined), LIVE_DEBOUNCE_MS),
    );
  }

  /** As queue.js: one fetch at a time, and one more after it if asked meanwhile. */
  private refreshQueue(): Promise<void> {
    if (this.queueLoop) {
      this.queueAgain = true;
      return this.queueLoop;
    }
    this.queueLoop = (async () => {
      try {
        do {
          if (this.closed) return;
          this.queueAgain = false;
          this.fetches.queue++;
          const queue = (await this.client.call("GET", "/api/v1/queue")).json as {
            mine?: { id: string; unread: number }[];
            others?: { id: string; unread: number }[];
          };
          const listed = [...(queue.mine ?? []), ...(queue.others ?? [])];
          this.unread = new Map(listed.map((item) => [item.id, item.unread]));
        } while (this.queueAgain);
      } finally {
        this.queueLoop = undefined;
      }
    })();
    return this.queueLoop;
  }

  /**
   * As view.js: the whole view on opening (and for a note), else only the messages after the
   * last one shown.
   */
  private async loadOpen({ whole = false } = {}): Promise<void> {
    const id = this.openId;
    if (!id || this.closed) return;
    const shown = this.views.get(id);
    if (whole || !shown) {
      this.fetches.conversation++;
      const view = (await this.client.call("GET", `/api/v1/conversations/${id}`)).json;
      this.views.set(id, view as unknown as Shown);
    } else {
      this.fetches.newMessages++;
      const after = Math.max(0, ...shown.messages.map((m) => m.seq));
      const path = `/api/v1/conversations/${id}/messages?after=${after}`;
      const news = (await this.client.call("GET", path)).json as unknown as Shown;
      shown.messages = [...shown.messages.filter((m) => m.seq <= after), ...news.messages];
    }
    this.resolveLoads((w) => w.id === id);
    // Opening marked her messages read (view.js sets her line's unread count to 0).
    if (this.unread.has(id)) this.unread.set(id, 0);
  }

  /** Wakes who waits for a fetch: of the conversation just fetched, or of one no longer open. */
  private resolveLoads(which: (w: { id: string }) => boolean): void {
    const woken = this.loadWaiters.filter(which);
    this.loadWaiters = this.loadWaiters.filter((w) => !which(w));
    for (const w of woken) w.resolve();
  }

  private async refreshAlerts(): Promise<void> {
    this.fetches.alerts++;
    await this.client.call("GET", "/api/v1/alerts");
  }
}
