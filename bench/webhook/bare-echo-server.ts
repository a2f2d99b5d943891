/** The ceiling for bench:webhook: @line/bot-sdk's middleware and an immediate 200, no storage. */
import { middleware } from "@line/bot-sdk";
import express from "express";

const app = express();
app.post(
  "/webhook/line",
  middleware({ channelSecret: process.env.LINE_CHANNEL_SECRET ?? "" }),
  (_req, res) => {
    res.status(200).json({});
  },
);
// Start-up probes come unsigned; answer them quietly.
app.use(
  (_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(401).end();
  },
);
app.listen(Number(process.env.PORT), "127.0.0.1");
// A clean exit on SIGTERM, so that --cpu-prof (BENCH_PROFILE=1) writes its profile.
process.on("SIGTERM", () => process.exit(0));
