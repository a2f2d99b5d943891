import { createServer, connect, type AddressInfo, type Socket } from "node:net";

/**
 * A TCP proxy in front of a real server (PostgreSQL in the tests), to take it away from the
 * service and give it back without stopping it for the other suites that share it: `cut()`
 * drops every connection and refuses new ones, as a database that went down does.
 */
export interface TcpProxy {
  /** The target's URL with host and port replaced by the proxy's. */
  url: string;
  /** Connections refused while cut: each one someone's attempt to reach the target. */
  readonly refused: number;
  cut(): void;
  /**
   * Takes the target away as a network partition or a hung server does: connections are
   * accepted and never answered, open ones fall silent. `restore()` ends it.
   */
  hold(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let down = false;
  let held = false;
  let refused = 0;
  const server = createServer((client) => {
    if (down) {
      refused += 1;
      client.destroy();
      return;
    }
    if (held) {
      sockets.add(client);
      client.on("close", () => sockets.delete(client));
      client.on("error", () => undefined);
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined); // "close" follows; the other side is ended there
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    get refused() {
      return refused;
    },
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    hold() {
      held = true;
      for (const s of sockets) s.unpipe().pause();
    },
    restore() {
      // Held connections never got an answer: they end now, and the client connects again.
      if (held) for (const s of sockets) s.destroy();
      down = false;
      held = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
