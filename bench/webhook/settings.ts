/**
 * bench:webhook's settings, from the environment (see webhook-bench.ts). The bench and its load
 * client (a process of its own, with the same environment) both read them here.
 */
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** The channel secret the servers verify signatures with and the client signs with. */
export const SECRET = "bench-channel-secret-0123456789ab";
export const DURATION_S = Number(process.env.BENCH_SECONDS ?? 15);
export const WARMUP_S = Math.min(5, DURATION_S);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** Which servers to measure (all of them by default); fewer to iterate on one. */
export const SERVERS = (process.env.BENCH_SERVERS ?? "bare,floor,pg,redis,start").split(",");
/** How many women the events come from: each request is a message from one of them, at random. */
export const WOMEN = Number(process.env.BENCH_WOMEN ?? 500);
export const PACED_RATE = Number(process.env.BENCH_RATE ?? 2000);
/** An even beat instead of Poisson arrivals in the open loop. */
export const UNIFORM_ARRIVALS = process.env.BENCH_ARRIVALS === "uniform";
export const PROFILE_DIR = process.env.BENCH_PROFILE
  ? path.join(ROOT, "artifacts/bench-profile")
  : "";
export const DEBUG = Boolean(process.env.BENCH_DEBUG);
