import { connect, type Socket } from "node:net";

/**
 * One keep-alive HTTP/1.1 connection with one request in flight. Reads just enough of the
 * response (status, content-length) to know where it ends: every server here answers with a length.
 */
export class PacedConnection {
  readonly connected: Promise<void>;
  private socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private current = -1;
  private closing = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly onAnswer: (conn: PacedConnection, i: number, status: number) => void,
  ) {
    this.socket = this.open();
    const first = this.socket;
    this.connected = new Promise((resolve, reject) => {
      first.once("connect", resolve);
      first.once("close", () =>
        reject(new Error(`bench client: no connection to ${host}:${port}`)),
      );
    });
  }

  send(i: number, request: Buffer): void {
    this.current = i;
    this.socket.write(request);
  }

  close(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private open(): Socket {
    const socket = connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.read(chunk));
    socket.on("error", () => undefined); // "close" follows
    let wasConnected = false;
    socket.once("connect", () => (wasConnected = true));
    socket.on("close", () => {
      if (this.closing) return;
      this.buffered = Buffer.alloc(0);
      // A connection the server closed is opened again at once; one it refused is retried a
      // little later, not in a busy loop that would take a core from the server.
      if (wasConnected) this.socket = this.open();
      else
        setTimeout(() => {
          if (!this.closing) this.socket = this.open();
        }, 100);
      this.answer(0);
    });
    return socket;
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const headEnd = this.buffered.indexOf("\r\n\r\n");
    if (headEnd < 0) return;
    const head = this.buffered.toString("latin1", 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length === undefined) throw new Error("bench client: a response without content-length");
    const end = headEnd + 4 + Number(length);
    if (this.buffered.length < end) return;
    this.buffered = this.buffered.subarray(end);
    this.answer(Number(head.slice(9, 12)));
  }

  private answer(status: number): void {
    const i = this.current;
    if (i < 0) return;
    this.current = -1;
    this.onAnswer(this, i, status);
  }
}
