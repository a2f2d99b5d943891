import type { SimulatedPerson } from "../../src/simulator/simulated-person";
import { turn } from "./conversation-driver";

/**
 * Takes a simulated woman through the Gunma triage to the hand-off, living in `place`
 * (a municipality she types: 高崎 → 西毛, 太田 → 東毛, 前橋 → 中北毛).
 */
export async function handOff(her: SimulatedPerson, place: string, opts: { risky?: boolean } = {}) {
  await turn(her, (p) => p.follow());
  await turn(her, (p) => p.tapQuickReply("はい、大丈夫"));
  await turn(her, (p) => p.tapQuickReply("お金・住まい・食べもの"));
  await turn(her, (p) => p.tapQuickReply("これで全部"));
  await turn(her, (p) => p.tapQuickReply("答えずに進む"));
  await turn(her, (p) => p.tapQuickReply("答えずに進む"));
  await turn(her, (p) => p.say(place));
  if (opts.risky) {
    await turn(her, (p) => p.say("もう死にたい"));
    return;
  }
  await turn(her, (p) => p.tapQuickReply("答えずに進む"));
  await turn(her, (p) => p.tapQuickReply("答えずに進む"));
  // How she came to know the service: asked in her first triage only (once per woman).
  if (asksAwareness(her)) await turn(her, (p) => p.tapQuickReply("答えずに進む"));
}

/** The last thing the bot sent her is the awareness question (「何で知りましたか」). */
export function asksAwareness(her: SimulatedPerson): boolean {
  const latest = [...her.received()].reverse().find((m) => m.quickReplyLabels.length > 0);
  return latest?.text?.includes("何で知りましたか") ?? false;
}
