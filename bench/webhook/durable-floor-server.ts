/**
 * The durable floor for bench:webhook: the bare server plus the one thing durability costs.
 * Each verified body is written to a journal file and answered only once fdatasync has
 * returned, with group commit (bodies that arrive during a sync go in the next). The journal is
 * zero-filled and synced at start and then overwritten in a ring, as PostgreSQL writes its
 * preallocated WAL segments: an fdatasync that also grows the file must commit the
 * filesystem's journal too, and stalls far more often on this machine's disk. No database, no
 * queue: its latency is what this machine's disk allows any server that acks only what is on
 * disk.
 */
import { closeSync, fdatasync, unlinkSync, write } from "node:fs";
import path from "node:path";
import { middleware } from "@line/bot-sdk";
import express from "express";
import { JOURNAL_BYTES, openPreallocated } from "../support/preallocated-journal";

const file = path.join(process.env.FLOOR_DIR ?? ".", `durable-floor-${process.pid}.log`);
const fd = openPreallocated(file);
let position = 0;
let pending: { body: Buffer; done: () => void }[] = [];
let syncing = false;

function flush(): void {
  if (syncing || pending.length === 0) return;
  syncing = true;
  const batch = pending;
  pending = [];
  const data = Buffer.concat(batch.map((p) => p.body));
  if (position + data.length > JOURNAL_BYTES) position = 0;
  const at = position;
  position += data.length;
  write(fd, data, 0, data.length, at, (writeError) => {
    if (writeError) throw writeError;
    fdatasync(fd, (syncError) => {
      if (syncError) throw syncError;
      syncing = false;
      for (const p of batch) p.done();
      flush();
    });
  });
}

const app = express();
app.post(
  "/webhook/line",
  middleware({ channelSecret: process.env.LINE_CHANNEL_SECRET ?? "" }),
  (req, res) => {
    pending.push({
      body: Buffer.from(JSON.stringify(req.body) + "\n"),
      done: () => res.status(200).json({}),
    });
    flush();
  },
);
app.use(
  (_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(401).end();
  },
);
app.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => {
  closeSync(fd);
  unlinkSync(file);
  process.exit(0);
});
