import type { ConversationStatus } from "../../../src/conversations/conversation-lifecycle";
import { applyStep } from "../../../src/conversations/flow-effects";
import type { Conversation } from "../../../src/db/prisma-client";
import type {
  Effect,
  EngineState,
  LineMessage,
  StepResult,
  Triage,
} from "../../../src/flows/flow-types";

const NOW = new Date("2026-03-31T14:50:00.000Z");
const SILENCE_MINUTES = 30;

const triage = (overrides: Partial<Triage> = {}): Triage => ({
  topics: [],
  supportWish: [],
  answers: {},
  risk: { level: "none", categories: [] },
  ...overrides,
});

function state(overrides: Partial<EngineState> = {}): EngineState {
  return {
    schemaVersion: 1,
    presetId: "gunma",
    flowVersion: "2026-03",
    status: "active",
    nodeId: "topic",
    queue: [],
    retries: 0,
    triage: triage(),
    ...overrides,
  };
}

function conversation(status: ConversationStatus, overrides: Partial<Conversation> = {}) {
  const at = new Date("2026-03-31T14:40:00.000Z");
  const row: Conversation = {
    id: "00000000-0000-4000-8000-000000000001",
    personId: "00000000-0000-4000-8000-000000000002",
    status,
    startedAt: at,
    lastMessageAt: at,
    closedAt: null,
    contentErasedAt: null,
    messageSeq: 0,
    closeReason: null,
    summaryEnc: null,
    durationMinutes: null,
    presetId: "gunma",
    flowVersion: "2026-03",
    flowState: null,
    silenceDueAt: null,
    topics: [],
    municipality: null,
    regionId: "maebashi",
    regionSource: null,
    ageBand: null,
    supportWish: [],
    triageAnswers: null,
    riskLevel: "none",
    riskCategories: ["dv"],
    handoffReason: null,
    waitingSince: null,
    outOfHours: false,
    endReason: null,
    assignedToId: null,
    assignedAt: null,
    firstResponseAt: null,
    waitAlertedAt: null,
    waitToldAt: null,
    overflowRegions: [],
    servingRegionId: null,
    reopenedAt: null,
    pushesHeldSince: null,
    referrals: [],
    referralsOtherEnc: null,
    followUps: [],
    closedById: null,
    ...overrides,
  };
  return row;
}

const say = (text: string): LineMessage => ({ type: "text", text });
const step = (effects: Effect[], engine: Partial<EngineState> = {}): StepResult => ({
  state: state(engine),
  effects,
});
const handoff = (regionId = "kiryu", servingRegionId?: string): Effect => ({
  type: "handoff",
  reason: "requested",
  regionId,
  outOfHours: true,
  ...(servingRegionId ? { servingRegionId } : {}),
});

describe("one step of the bot, applied to her conversation", () => {
  it("sends her the messages of every send, in order, and keeps the flow's state", () => {
    const result = step([
      { type: "send", messages: [say("こんにちは"), say("ご相談の内容を選んでください")] },
      { type: "send", messages: [say("いつでも「終了」で終われます")] },
    ]);
    const out = applyStep(conversation("bot"), result, NOW, SILENCE_MINUTES);
    expect(out.messages).toEqual([
      say("こんにちは"),
      say("ご相談の内容を選んでください"),
      say("いつでも「終了」で終われます"),
    ]);
    expect(out.moves).toEqual([]);
    expect(out).not.toHaveProperty("reason");
    expect(out.data).toMatchObject({
      presetId: "gunma",
      flowVersion: "2026-03",
      flowState: result.state,
    });
  });

  it("waits for her answer (silence limit) only while the bot still asks", () => {
    const asking = applyStep(conversation("bot"), step([]), NOW, SILENCE_MINUTES);
    expect(asking.data.silenceDueAt).toEqual(new Date("2026-03-31T15:20:00.000Z"));
    for (const engine of [{ nodeId: null }, { status: "ended" as const }]) {
      const done = applyStep(conversation("bot"), step([], engine), NOW, SILENCE_MINUTES);
      expect(done.data.silenceDueAt).toBeNull();
    }
    // A counsellor's chat: the bot only watches for risk words, it never times her out.
    const human = applyStep(conversation("active"), step([]), NOW, SILENCE_MINUTES);
    expect(human.data.silenceDueAt).toBeNull();
  });

  it("records the triage, keeping her region when triage chose none", () => {
    const answers = { topic: "dv", age: "30s" };
    const chosen = applyStep(
      conversation("bot"),
      step([
        {
          type: "setTriage",
          triage: triage({
            topics: ["dv"],
            municipality: "桐生市",
            regionId: "kiryu",
            regionSource: "answer",
            ageBand: "30s",
            supportWish: ["talk"],
            answers,
          }),
        },
      ]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(chosen.data).toMatchObject({
      topics: ["dv"],
      municipality: "桐生市",
      regionId: "kiryu",
      regionSource: "answer",
      ageBand: "30s",
      supportWish: ["talk"],
      triageAnswers: answers,
    });
    expect(chosen.moves).toEqual([]);

    const none = applyStep(
      conversation("bot"),
      step([{ type: "setTriage", triage: triage({ topics: ["work"] }) }]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(none.data).toMatchObject({
      topics: ["work"],
      municipality: null,
      regionId: "maebashi",
      regionSource: null,
      ageBand: null,
    });
  });

  it("raises the risk to high, adding categories without repeating one", () => {
    const out = applyStep(
      conversation("active"),
      step([{ type: "markRisk", level: "high", categories: ["dv", "suicide"], source: "text" }]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.data.riskLevel).toBe("high");
    expect(out.data.riskCategories).toEqual(["dv", "suicide"]);
    expect(out.moves).toEqual([]);
  });

  it("does not by itself hand a bot chat to the queue on a risk word (the flow says when)", () => {
    const out = applyStep(
      conversation("bot"),
      step([{ type: "markRisk", level: "high", categories: ["suicide"], source: "text" }]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.data.riskLevel).toBe("high");
    expect(out.moves).toEqual([]);
    expect(out.data).not.toHaveProperty("waitingSince");
  });

  it("hands a bot chat to the queue of the region triage chose", () => {
    const out = applyStep(conversation("bot"), step([handoff()]), NOW, SILENCE_MINUTES);
    expect(out.moves).toEqual(["handoff"]);
    expect(out.reason).toBe("requested");
    expect(out.data).toMatchObject({
      waitingSince: NOW,
      handoffReason: "requested",
      regionId: "kiryu",
      outOfHours: true,
    });
  });

  it("does not hand off again a chat that already waits or that a counsellor has", () => {
    for (const status of ["waiting", "active"] as const) {
      const out = applyStep(conversation(status), step([handoff()]), NOW, SILENCE_MINUTES);
      expect(out.moves).toEqual([]);
      expect(out).not.toHaveProperty("reason");
      expect(out.data).not.toHaveProperty("waitingSince");
      expect(out.data).not.toHaveProperty("regionId");
      expect(out.data).not.toHaveProperty("handoffReason");
    }
  });

  it("closes a bot chat when the flow ends", () => {
    const out = applyStep(
      conversation("bot"),
      step([{ type: "end", reason: "exit-word" }], { status: "ended", nodeId: null }),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.moves).toEqual(["end"]);
    expect(out.reason).toBe("exit-word");
    expect(out.data).toMatchObject({ endReason: "exit-word", closedAt: NOW });
  });

  it("marks a wait abandoned when she leaves before anyone answered", () => {
    const out = applyStep(
      conversation("waiting"),
      step([{ type: "end", reason: "exit-word" }]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.moves).toEqual(["end"]);
    expect(out.data).toMatchObject({ endReason: "exit-word", closedAt: NOW });
  });

  it("only notes the reason on a counsellor's chat, which the counsellor closes", () => {
    const out = applyStep(
      conversation("active"),
      step([{ type: "end", reason: "not-safe-now" }]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.moves).toEqual([]);
    expect(out).not.toHaveProperty("reason");
    expect(out.data.endReason).toBe("not-safe-now");
    expect(out.data).not.toHaveProperty("closedAt");
  });

  it("follows the status through the step: a hand-off then an end abandons the wait", () => {
    const out = applyStep(
      conversation("bot"),
      step([handoff(), { type: "end", reason: "silence" }]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.moves).toEqual(["handoff", "end"]);
    expect(out.reason).toBe("silence");
    expect(out.data.silenceDueAt).toBeNull();
  });

  it("does not wait for her answer after handing her to the queue", () => {
    const out = applyStep(conversation("bot"), step([handoff()]), NOW, SILENCE_MINUTES);
    expect(out.data.silenceDueAt).toBeNull();
  });

  it("holds a counsellor's chat on her exit word, and lifts the hold when she writes again", () => {
    const exit: Effect = { type: "end", reason: "exit-word" };
    const held = applyStep(conversation("active"), step([exit]), NOW, SILENCE_MINUTES);
    expect(held.data.pushesHeldSince).toEqual(NOW);
    // The exit word again later: the hold counts from the first.
    const since = new Date("2026-03-31T14:45:00.000Z");
    const again = applyStep(
      conversation("active", { pushesHeldSince: since }),
      step([exit]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(again.data.pushesHeldSince).toEqual(since);
    const wrote = applyStep(
      conversation("active", { pushesHeldSince: since }),
      step([]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(wrote.data.pushesHeldSince).toBeNull();
    // Only a counsellor's chat is held: the bot's and the queue's have their own endings.
    const bot = applyStep(conversation("bot"), step([exit]), NOW, SILENCE_MINUTES);
    expect(bot.data).not.toHaveProperty("pushesHeldSince");
  });

  it("names risk seen during a counsellor's chat for the alert, and only then", () => {
    const risk: Effect = {
      type: "markRisk",
      level: "high",
      categories: ["suicide"],
      source: "text",
    };
    expect(
      applyStep(conversation("active"), step([risk]), NOW, SILENCE_MINUTES).riskInChat,
    ).toEqual(["suicide"]);
    expect(
      applyStep(conversation("waiting"), step([risk]), NOW, SILENCE_MINUTES),
    ).not.toHaveProperty("riskInChat");
  });

  it("shows a chat handed to an open neighbour to that region's counsellors, once", () => {
    const served = applyStep(
      conversation("bot", { overflowRegions: ["takasaki"] }),
      step([handoff("kiryu", "takasaki")]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(served.data).toMatchObject({ regionId: "kiryu", servingRegionId: "takasaki" });
    expect(served.data.overflowRegions).toEqual(["takasaki"]);
    const beside = applyStep(
      conversation("bot", { overflowRegions: ["ota"] }),
      step([handoff("kiryu", "takasaki")]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(beside.data.overflowRegions).toEqual(["ota", "takasaki"]);
    // Her own region is open: it serves her, and no other region is added.
    const own = applyStep(conversation("bot"), step([handoff("kiryu")]), NOW, SILENCE_MINUTES);
    expect(own.data.servingRegionId).toBeNull();
    expect(own.data).not.toHaveProperty("overflowRegions");
  });

  it("holds a counsellor's chat only on her exit word, not on the flow's other endings", () => {
    for (const reason of ["not-safe-now", "silence", "completed"] as const) {
      const out = applyStep(
        conversation("active"),
        step([{ type: "end", reason }]),
        NOW,
        SILENCE_MINUTES,
      );
      expect(out.data.pushesHeldSince).toBeNull();
    }
  });

  it("passes every once-per-person question of the step to her record, each once", () => {
    const out = applyStep(
      conversation("bot"),
      step([
        { type: "askedOnce", field: "ageBand" },
        { type: "send", messages: [say("年代を教えてください")] },
        { type: "askedOnce", field: "municipality" },
        { type: "askedOnce", field: "ageBand" },
      ]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.askedOnce).toEqual(["ageBand", "municipality"]);
    expect(applyStep(conversation("bot"), step([]), NOW, SILENCE_MINUTES)).not.toHaveProperty(
      "askedOnce",
    );
  });

  it("passes her contact times on to her record", () => {
    const out = applyStep(
      conversation("waiting"),
      step([{ type: "setContactTimes", bandId: "19-21" }]),
      NOW,
      SILENCE_MINUTES,
    );
    expect(out.contactTimes).toEqual({ bandId: "19-21" });
    expect(out.moves).toEqual([]);
  });
});
