/**
 * Drives the engine the way the worker will: one input at a time, keeping the state, and shows
 * what she would see (texts and buttons) and what the worker would do (hand-off, risk, end).
 */
import path from "node:path";
import { loadPreset } from "../../../src/config/preset-loader";
import { pickFlow, step } from "../../../src/flows/flow-engine";
import type {
  Effect,
  EngineInput,
  EngineState,
  LineMessage,
  Preset,
  StepResult,
  UpcomingGathering,
} from "../../../src/flows/flow-types";
import { analyse } from "../../support/japanese-analyser";

export { useJapaneseAnalyser } from "../../support/japanese-analyser";

export const ROOT = path.resolve(__dirname, "../../..");
export const gunma: Preset = loadPreset(path.join(ROOT, "flows/gunma"));
export const yamaguchi: Preset = loadPreset(path.join(ROOT, "flows/yamaguchi"));

/** Japan time → Date. */
export function jst(local: string): Date {
  return new Date(`${local}+09:00`);
}

/** Tuesday 2026-11-24 11:00: every Gunma region is open. */
export const OPEN = jst("2026-11-24T11:00:00");

export class Chat {
  state: EngineState | null = null;
  last: StepResult = { state: {} as EngineState, effects: [] };
  readonly history: Effect[] = [];
  /** What the runtime hands the engine from the console: the next gatherings. */
  gatherings: UpcomingGathering[] = [];
  /**
   * Once-per-person questions she was asked in an earlier conversation; undefined: the runtime
   * hands the engine nothing (it reads them only for a flow that has such a question).
   */
  askedOnce: string[] | undefined = [];

  constructor(
    readonly preset: Preset = gunma,
    public now: Date = OPEN,
    public phase: "bot" | "human" = "bot",
  ) {}

  send(input: EngineInput): this {
    const flow = pickFlow(this.preset, this.state);
    // Needs useJapaneseAnalyser() in the test file: risk detection runs on every text.
    this.last = step(flow, this.preset, this.state, input, {
      now: this.now,
      analyse,
      conversationPhase: this.phase,
      gatherings: this.gatherings,
      ...(this.askedOnce ? { askedOnce: this.askedOnce } : {}),
    });
    // The runtime keeps on her person what she was asked once (src/conversations/flow-responder.ts).
    for (const e of this.last.effects) if (e.type === "askedOnce") this.askedOnce?.push(e.field);
    this.state = this.last.state;
    this.history.push(...this.last.effects);
    // Effects must survive the jsonb column and a job payload.
    expect(JSON.parse(JSON.stringify(this.last))).toEqual(this.last);
    return this;
  }

  follow(): this {
    return this.send({ type: "follow" });
  }

  say(text: string): this {
    return this.send({ type: "text", text });
  }

  /** Taps the quick-reply button with this label on the last question. */
  tap(label: string): this {
    const item = this.buttons().find((b) => b.label === label);
    if (!item) throw new Error(`no button "${label}" in [${this.labels().join(", ")}]`);
    if (item.type !== "postback") throw new Error(`button "${label}" is not a postback`);
    return this.send({ type: "postback", data: item.data });
  }

  messages(): LineMessage[] {
    return this.last.effects.flatMap((e) => (e.type === "send" ? e.messages : []));
  }

  /** Texts of the last step, joined, for `toContain` checks. */
  text(): string {
    return this.messages()
      .map((m) => m.text)
      .join("\n---\n");
  }

  buttons() {
    const withButtons = this.messages().filter((m) => m.quickReply);
    const lastMsg = withButtons[withButtons.length - 1];
    return lastMsg?.quickReply?.items.map((i) => i.action) ?? [];
  }

  labels(): string[] {
    return this.buttons().map((b) => b.label);
  }

  effect<T extends Effect["type"]>(type: T): Extract<Effect, { type: T }> | undefined {
    return this.last.effects.find((e): e is Extract<Effect, { type: T }> => e.type === type);
  }

  triage() {
    if (!this.state) throw new Error("no state yet");
    return this.state.triage;
  }
}
