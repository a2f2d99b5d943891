/**
 * `npm run bench:media`: how much memory the worker's copy of her file takes, by file size.
 * (Run with --expose-gc, as the npm script does, so each sample counts live memory only.)
 * A fake LINE data API streams files of 1 to 64 MiB, generated piece by piece (the fake holds
 * none of them whole), into the real media service and PostgreSQL store; the bench samples the
 * process's heap and buffer memory while each copy runs and prints the peak above the level
 * before it. Flat figures across sizes mean no copy holds a whole file. Its database is the
 * benches' own (support/bench-database.ts), under .data/bench-media-pg or on DATABASE_URL's server.
 */
import { createSealer } from "../src/privacy/sealer";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createPrismaClient } from "../src/db/prisma-client";
import { createLineMessenger } from "../src/line/line-messenger";
import { createMediaService } from "../src/line/media-service";
import { createMediaStore } from "../src/media/media-store";
import { createMetrics } from "../src/metrics";
import { openBenchDatabase } from "./support/bench-database";
import { printTable } from "./support/table";

const MiB = 1024 * 1024;
const SIZES_MIB = (process.env.BENCH_SIZES_MIB ?? "1,4,16,64").split(",").map(Number);
const PIECE = 64 * 1024;

/** LINE's content endpoint: `/v2/bot/message/<bytes>/content` streams that many JPEG bytes. */
function fakeLine(): Promise<Server> {
  const piece = randomBytes(PIECE);
  piece.set([0xff, 0xd8, 0xff, 0xe0], 0);
  const server = createServer((req, res) => {
    const size = Number(/\/message\/(\d+)\/content$/.exec(req.url ?? "")?.[1] ?? 0);
    res.writeHead(200, { "content-type": "image/jpeg" });
    let sent = 0;
    const more = () => {
      while (sent < size) {
        const n = Math.min(PIECE, size - sent);
        sent += n;
        if (!res.write(piece.subarray(0, n))) return void res.once("drain", more);
      }
      res.end();
    };
    more();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function main() {
  const db = await openBenchDatabase({
    name: "lws_bench_media",
    dataDir: "bench-media-pg",
    fresh: true,
  });
  const prisma = createPrismaClient(db.url);
  const line = await fakeLine();
  const base = `http://127.0.0.1:${(line.address() as AddressInfo).port}`;
  const media = createMediaService({
    prisma,
    messenger: createLineMessenger({
      channelAccessToken: "bench-token-0123456789",
      apiBaseUrl: base,
      dataApiBaseUrl: base,
      metrics: createMetrics(),
    }),
    store: createMediaStore(prisma, createSealer("media-bench-secret-key-0123456789abcdef")),
    maxBytes: Math.max(...SIZES_MIB) * MiB,
  });
  const person = await prisma.person.create({
    data: { lineUserHash: randomUUID(), lineUserIdEnc: randomBytes(8), pseudonym: randomUUID() },
  });
  const conversation = await prisma.conversation.create({ data: { personId: person.id } });
  const row = printTable([
    { title: "file", width: 8 },
    { title: "copy s", width: 7 },
    { title: "peak live heap+buffers above start, MiB", width: 40 },
    { title: "peak RSS above start, MiB", width: 26 },
  ]);
  // The first run warms up (JIT, connections) and is not printed.
  for (const [run, mib] of [SIZES_MIB[0] ?? 1, ...SIZES_MIB].entries()) {
    const size = mib * MiB;
    const message = await prisma.message.create({
      data: {
        conversationId: conversation.id,
        personId: person.id,
        direction: "in",
        author: "person",
        kind: "image",
        lineMessageId: String(size),
        sentAt: new Date(),
      },
    });
    global.gc?.();
    const start = process.memoryUsage();
    const peak = { heap: 0, rss: 0 };
    const sample = setInterval(() => {
      // Collected first: what the copy holds, not the garbage it left for the next collection.
      global.gc?.();
      const now = process.memoryUsage();
      peak.heap = Math.max(
        peak.heap,
        now.heapUsed + now.arrayBuffers - start.heapUsed - start.arrayBuffers,
      );
      peak.rss = Math.max(peak.rss, now.rss - start.rss);
    }, 20);
    const began = Date.now();
    await media.copy(message.id);
    clearInterval(sample);
    const stored = await prisma.messageMedia.findUniqueOrThrow({
      where: { messageId: message.id },
    });
    if (stored.size !== size) throw new Error(`stored ${stored.size} of ${size} bytes`);
    // The fake LINE takes the size from the message id: free it for the next run of this size.
    await prisma.message.update({ where: { id: message.id }, data: { lineMessageId: null } });
    if (run === 0) continue;
    row([
      `${mib} MiB`,
      ((Date.now() - began) / 1000).toFixed(1),
      (peak.heap / MiB).toFixed(1),
      (peak.rss / MiB).toFixed(1),
    ]);
  }
  line.close();
  await prisma.$disconnect();
  await db.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
