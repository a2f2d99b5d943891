/**
 * LINE for the chaos run, in a process of its own so that it outlives every fault: the
 * simulator's Messaging API at the root (@line/bot-sdk drops a base-URL path), its person API
 * under /simulator (the women write through it: it signs and posts the webhook as LINE does)
 * and the harness's /chaos routes (see line-ledger.ts).
 * Environment: PORT, LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN, WEBHOOK_URL.
 */
import express from "express";
import { LineSimulator } from "../../src/simulator/line-simulator";
import { ledgerRouter } from "./line-ledger";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const sim = new LineSimulator({
  channelSecret: required("LINE_CHANNEL_SECRET"),
  channelAccessToken: required("LINE_CHANNEL_ACCESS_TOKEN"),
  webhookUrl: required("WEBHOOK_URL"),
  // LINE waits a few seconds for the webhook's answer, not the simulator's default ten.
  webhookTimeoutMs: 5000,
  // A held call ("timeout" fault) ends with its caller; this only bounds a forgotten one.
  faultTimeoutMs: 30_000,
});
const app = express();
app.disable("x-powered-by");
app.use("/", sim.platformRouter());
app.use("/simulator", sim.personRouter());
app.use("/chaos", ledgerRouter(sim));
const server = app.listen(Number(required("PORT")), "127.0.0.1", () => {
  console.log("line simulator listening");
});
process.on("SIGTERM", () => {
  void sim.close().then(() => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
});
