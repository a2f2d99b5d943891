/**
 * Engine behaviour at the edges: boundaries she could hit by chance (the risk-notice cool-down,
 * a short 最初から message), and what a deployment's own settings change (no hand-off on risk,
 * long welcome texts, a region that does not open for weeks). Variants of the Gunma preset stand
 * in for an NPO's edited flow.yaml and preset.yaml.
 */
import type { Flow, Preset } from "../../../src/flows/flow-types";
import { encodePostback } from "../../../src/flows/flow-postback";
import { hotlineList } from "../../../src/flows/flow-text";
import { initialState } from "../../../src/flows/flow-turn";
import { Chat, gunma, jst, OPEN, useJapaneseAnalyser } from "./chat-harness";

useJapaneseAnalyser();

function variant(edit: (p: Preset) => void): Preset {
  const preset = structuredClone(gunma);
  edit(preset);
  preset.flowVersions = { [preset.flow.version]: preset.flow };
  return preset;
}

function withFlow(edit: (f: Flow) => void): Preset {
  return variant((p) => edit(p.flow));
}

/** The question has no `next` of its own: each of its choices leads to `target`. */
function choicesLeadTo(nodeId: string, target: string): Preset {
  return withFlow((f) => {
    const node = f.nodes[nodeId];
    if (node?.type !== "choice") return;
    delete node.next;
    for (const c of node.choices) c.next = target;
  });
}

describe("the risk notice cool-down", () => {
  /** Handed over and waiting in the queue: nobody is chatting with her, the bot still helps. */
  const waiting = (preset = gunma) => new Chat(preset, OPEN).say("相談員と話したい");

  it("sends the lines again exactly when the cool-down has passed", () => {
    const chat = waiting().say("しにたい");
    expect(chat.text()).toContain("0570-783-556");
    chat.now = new Date(OPEN.getTime() + 30 * 60_000 - 1);
    expect(chat.say("しにたい").effect("send")).toBeUndefined();
    chat.now = new Date(OPEN.getTime() + 30 * 60_000);
    expect(chat.say("しにたい").text()).toContain("0570-783-556");
  });

  it("with a cool-down of 0 the lines go out on every risk message", () => {
    const preset = withFlow((f) => (f.settings.riskNoticeCooldownMinutes = 0));
    const chat = waiting(preset).say("しにたい").say("しにたい");
    expect(chat.text()).toContain("0570-783-556");
  });

  it("a repeated category is listed once in the triage", () => {
    const chat = new Chat(gunma, OPEN, "human").say("しにたい");
    chat.now = new Date(OPEN.getTime() + 60_000);
    chat.say("死にたい、殴られた");
    expect(chat.triage().risk).toEqual({ level: "high", categories: ["suicide", "violence-now"] });
  });
});

describe("最初から in a short message", () => {
  function atAge(): Chat {
    return new Chat().follow().tap("はい、大丈夫").tap("その他").tap("これで全部").say("前橋");
  }

  it("restarts with up to six more characters around the word", () => {
    const chat = atAge().say("最初からお願いします");
    expect(chat.text()).toContain("はい、最初からお聞きしますね。");
    expect(chat.triage().topics).toEqual([]);
  });

  it("is an answer with seven more", () => {
    const chat = atAge().say("最初からお願いしますね");
    expect(chat.text()).not.toContain("最初からお聞きしますね");
  });

  it("keeps whether she is safe to talk, and clears the rest", () => {
    const chat = atAge().say("やり直し");
    expect(chat.triage()).toMatchObject({ safeNow: "yes", topics: [], answers: {} });
    expect(chat.triage().municipality).toBeUndefined();
  });
});

describe("a flow that does not hand over on risk", () => {
  const preset = withFlow((f) => (f.settings.handoffOnRisk = false));

  it("sends the numbers, marks the risk, and goes on with the triage", () => {
    const chat = new Chat(preset).follow().tap("はい、大丈夫").say("夫に殴られた");
    expect(chat.effect("markRisk")).toMatchObject({ categories: ["violence-now"], source: "text" });
    expect(chat.text()).toContain("110");
    expect(chat.effect("handoff")).toBeUndefined();
    expect(chat.text()).toContain("その相手は、いまあなたのそばにいますか");
  });

  it("an answer that signals danger is noted and the triage goes on", () => {
    const chat = new Chat(preset).follow().tap("はい、大丈夫").tap("パートナー・家族のこと").tap("これで全部").tap("いる");
    expect(chat.effect("markRisk")).toMatchObject({ categories: ["abuser-nearby"], source: "answer" });
    expect(chat.effect("handoff")).toBeUndefined();
    expect(chat.text()).toContain("お子さんはいますか");
  });

  it("a follow (she blocked and unblocked) starts again but keeps the risk", () => {
    const chat = new Chat(preset).follow().tap("はい、大丈夫").say("しにたい").follow();
    expect(chat.text()).toContain("いま安心してやりとりできる状況ですか");
    expect(chat.triage().risk).toEqual({ level: "high", categories: ["suicide"] });
  });
});

describe("choices", () => {
  it("picking every topic goes straight on, without asking for more", () => {
    const chat = new Chat().follow().tap("はい、大丈夫");
    for (const label of ["お金・住まい・食べもの", "仕事のこと", "こころ・さみしさ", "その他"]) chat.tap(label);
    expect(chat.text()).toContain("ほかにもあれば");
    chat.tap("パートナー・家族のこと");
    expect(chat.text()).not.toContain("ほかにもあれば");
    expect(chat.text()).toContain("その相手は、いまあなたのそばにいますか");
    expect(chat.triage().topics).toEqual(["poverty", "work", "mental", "other", "dv"]);
  });

  it("a multi-select without its own moreText names its done button", () => {
    const preset = withFlow((f) => {
      const topics = f.nodes.topics;
      if (topics?.type === "choice") delete topics.moreText;
    });
    const chat = new Chat(preset).follow().tap("はい、大丈夫").tap("仕事のこと");
    expect(chat.text()).toBe("ほかにもあれば選んでください。なければ「これで全部」を。");
  });

  it("「いない」 answers no to whether he is near, though it starts as 「いる」 does", () => {
    // 「いない」 at 「その相手は、いまあなたのそばにいますか」 means no, though it is not 「いる」.
    const chat = new Chat().follow().tap("はい、大丈夫").tap("パートナー・家族のこと").tap("これで全部").say("いない");
    expect(chat.triage().answers.partnerNearby).toBe("no");
  });

  it("a one-character word counts only when it is the whole answer", () => {
    const preset = withFlow((f) => {
      const age = f.nodes.age;
      if (age?.type === "choice") age.choices[0]?.match.push("若");
    });
    const atAge = () =>
      new Chat(preset).follow().tap("はい、大丈夫").tap("その他").tap("これで全部").say("前橋");
    expect(atAge().say("若").triage().ageBand).toBe("10s");
    expect(atAge().say("若くはないです").triage().ageBand).toBeUndefined();
  });

  it("a question without next and without a free-text value asks again when her text names no choice", () => {
    const preset = choicesLeadTo("age", "support");
    const chat = new Chat(preset).follow().tap("はい、大丈夫").tap("その他").tap("これで全部").say("前橋");
    chat.say("ひみつです");
    expect(chat.text()).toBe("差しつかえなければ、年代を教えてください。");
    expect(chat.labels()).toContain("20代");
  });
});

describe("messages and hours", () => {
  it("more than five bubbles in one step go out in several sends of at most five", () => {
    const preset = withFlow((f) => {
      const welcome = f.nodes.welcome;
      if (welcome?.type === "message") welcome.text = ["1", "2", "3", "4", "5"];
    });
    const chat = new Chat(preset).follow();
    const sends = chat.last.effects.filter((e) => e.type === "send");
    expect(sends.map((s) => s.messages.length)).toEqual([5, 1]);
    expect(chat.messages().map((m) => m.text.split("\n")[0])).toEqual(["1", "2", "3", "4", "5", "はじめに、いま安心してやりとりできる状況ですか？"]);
  });

  it("when no region opens within three weeks she is told a counsellor answers after the break", () => {
    const closed = variant((p) => {
      for (const r of p.regions) r.hours.closedDates = Array.from({ length: 31 }, (_, i) => `12-${String(i + 1).padStart(2, "0")}`);
    });
    const chat = new Chat(closed, jst("2026-12-01T11:00:00")).follow().say("相談員と話したい");
    expect(chat.text()).toContain("相談員からのお返事は、受付再開のあとからになります");
    expect(chat.effect("handoff")).toEqual({ type: "handoff", reason: "requested", regionId: "chuhoku", outOfHours: true });
  });
});

describe("what her conversation keeps between messages", () => {
  it("a new conversation starts with nothing counted and nothing asked", () => {
    expect(initialState(gunma.flow, gunma)).toEqual({
      schemaVersion: 1,
      presetId: gunma.id,
      flowVersion: gunma.flow.version,
      status: "new",
      nodeId: null,
      queue: [],
      retries: 0,
      triage: { topics: [], supportWish: [], answers: {}, risk: { level: "none", categories: [] } },
    });
  });

  it("handed over or ended, no question is left waiting to be asked", () => {
    // A multi-select queues its sections; asking for a counsellor in the middle leaves none.
    const inSections = () => new Chat(gunma, OPEN).follow().tap("はい、大丈夫").tap("お金・住まい・食べもの").tap("仕事のこと").tap("これで全部");
    expect(inSections().state?.queue.length).toBeGreaterThan(0);
    const handedOff = inSections();
    handedOff.say("相談員と話したい");
    expect(handedOff.state).toMatchObject({ status: "handed-off", nodeId: null, queue: [], retries: 0 });
    const ended = inSections();
    ended.say("おわり");
    expect(ended.state).toMatchObject({ status: "ended", nodeId: null, queue: [], retries: 0 });
  });
});

describe("a first message in crisis, in a flow without its own first-message notice", () => {
  it("the risk notice's texts reach her as one message, an empty line between them", () => {
    const preset = withFlow((f) => delete f.messages.riskNoticeFirst);
    const chat = new Chat(preset, OPEN).say("死にたい");
    const [first, second] = preset.flow.messages.riskNotice;
    const notice = chat.messages().find((m) => m.type === "text" && first !== undefined && m.text.startsWith(first));
    expect(notice?.type === "text" && notice.text.split("\n\n")[1]?.split("\n")[0]).toBe(second?.split("\n")[0]);
  });
});

describe("when the person is near her", () => {
  const texts = (chat: Chat) => chat.messages().map((m) => m.text);

  it("in a flow without its own short line, only the risk notice's first text reaches her, never the list of numbers", () => {
    const preset = withFlow((f) => delete f.messages.riskNoticeNear);
    const chat = new Chat(preset, OPEN).say("夫が隣の部屋にいる");
    expect(chat.effect("handoff")?.reason).toBe("risk");
    expect(texts(chat)).toEqual(preset.flow.messages.riskNotice.slice(0, 1));
  });

  it("asking for a counsellor gets her request's one line, and no waiting text after it", () => {
    const preset = withFlow((f) => (f.settings.handoffOnRisk = false));
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").tap("パートナー・家族のこと").tap("これで全部").tap("いる");
    chat.say("相談員と話したい");
    expect(chat.effect("handoff")).toMatchObject({ reason: "requested", outOfHours: false });
    expect(texts(chat)).toEqual(preset.flow.messages.handoffRequested);
  });
});

describe("{{riskHotlines}} outside a risk notice", () => {
  it("lists every line of the preset", () => {
    const preset = withFlow((f) => (f.messages.exit = ["ご利用ありがとうございました。\n{{riskHotlines}}"]));
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").say("おわり");
    expect(chat.messages().map((m) => m.text)).toEqual([`ご利用ありがとうございました。\n${hotlineList(preset.hotlines)}`]);
  });
});

describe("her municipality, when she would rather not say it", () => {
  const atMunicipality = () => new Chat(gunma, OPEN).follow().tap("はい、大丈夫").tap("その他").tap("これで全部");

  it.each(["言いたくない", "住所はひみつです"])("typing 「%s」 counts as the button: the preset's default region, and the triage goes on", (text) => {
    const asked = atMunicipality().text();
    const chat = atMunicipality().say(text);
    expect(chat.triage()).toMatchObject({ regionId: "chuhoku", regionSource: "default" });
    expect(chat.triage().municipality).toBeUndefined();
    expect(chat.text()).not.toContain("もう一度");
    expect(chat.text()).not.toBe(asked);
  });
});

describe("after she ended", () => {
  const ended = () => new Chat(gunma, OPEN).follow().tap("はい、大丈夫").tap("仕事のこと").say("おわり");

  it("a late silence sends nothing and keeps what she answered, even once her flow's version is gone", () => {
    const before = ended().state;
    expect(before).toMatchObject({ status: "ended", triage: { topics: ["work"] } });
    const chat = new Chat(withFlow((f) => (f.version = "2099.1")), OPEN);
    chat.state = before;
    chat.send({ type: "silence" });
    expect(chat.last.effects).toEqual([]);
    expect(chat.state).toMatchObject({ status: "ended", triage: before?.triage });
  });

  it("a button of the conversation she ended starts a new one: the greeting and the first question", () => {
    const chat = new Chat(gunma, OPEN).follow();
    const safe = chat.buttons().find((b) => b.label === "はい、大丈夫");
    chat.say("おわり");
    chat.send({ type: "postback", data: safe?.type === "postback" ? safe.data : "" });
    expect(chat.text()).toContain("こんにちは。");
    expect(chat.labels()).toContain("はい、大丈夫");
    expect(chat.triage().safeNow).toBeUndefined();
  });

  it("a sticker as her first message gets the greeting and the first question", () => {
    const chat = new Chat(gunma, OPEN).send({ type: "sticker" });
    expect(chat.text()).toContain("こんにちは。");
    expect(chat.labels()).toContain("はい、大丈夫");
  });
});

describe("buttons that are not the current question's", () => {
  const atHousing = () =>
    new Chat(gunma, OPEN).follow().tap("はい、大丈夫").tap("お金・住まい・食べもの").tap("これで全部");
  const housingQuestion = "住むところを失いそう、または今夜泊まるところに困っていますか？";

  it("a button of the question before asks the current one again and records nothing", () => {
    const chat = atHousing();
    const old = chat.buttons().find((b) => b.label === "ない・足りない");
    chat.tap("ある");
    chat.send({ type: "postback", data: old?.type === "postback" ? old.data : "" });
    expect(chat.text()).toBe(housingQuestion);
    expect(chat.labels()).toContain("困っている");
    expect(chat.triage().answers).toEqual({ foodToday: "yes" });
  });

  it("at a choice, a button naming it with an action it does not offer asks it again", () => {
    const chat = new Chat(gunma, OPEN).follow().tap("はい、大丈夫").tap("仕事のこと");
    chat.send({ type: "postback", data: encodePostback({ action: "prefer-not", nodeId: "topics" }) });
    expect(chat.state).toMatchObject({ status: "active", nodeId: "topics" });
    expect(chat.text()).toContain("いくつ選んでも大丈夫です");
  });

  it("at her municipality, a button naming it with an action it does not offer asks it again", () => {
    const chat = new Chat(gunma, OPEN).follow().tap("はい、大丈夫").tap("その他").tap("これで全部");
    chat.send({ type: "postback", data: encodePostback({ action: "done", nodeId: "region" }) });
    expect(chat.state).toMatchObject({ status: "active", nodeId: "region" });
    expect(chat.triage().regionSource).toBeUndefined();
    expect(chat.labels()).toContain("前橋市");
  });
});

describe("starting again", () => {
  it("after a restart she again gets a second try at her municipality", () => {
    const chat = new Chat(gunma, OPEN).follow().tap("はい、大丈夫").tap("その他").tap("これで全部").say("ええと");
    expect(chat.text()).toContain("うまく読み取れませんでした");
    chat.say("最初から").tap("その他").tap("これで全部").say("ええと");
    expect(chat.text()).toContain("うまく読み取れませんでした");
    expect(chat.triage().regionSource).toBeUndefined();
  });

  it("a restart forgets the sections she picked before: after the section it restarts in, she is handed over", () => {
    const preset = withFlow((f) => (f.settings.restartAt = "poverty_food"));
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").tap("お金・住まい・食べもの").tap("仕事のこと").tap("これで全部");
    chat.say("最初から").tap("ある").tap("いまは大丈夫");
    expect(chat.text()).not.toContain("お仕事のことで");
    expect(chat.effect("handoff")?.reason).toBe("completed");
  });
});

describe("walking the flow", () => {
  it("a flow whose message loops on itself (the validator refuses it) stops after 50 messages and hands her over", () => {
    const preset = withFlow((f) => {
      const welcome = f.nodes.welcome;
      if (welcome?.type === "message") Object.assign(welcome, { text: ["…"], next: "welcome" });
    });
    const chat = new Chat(preset, OPEN).follow();
    expect(chat.messages().filter((m) => m.text === "…")).toHaveLength(50);
    expect(chat.effect("handoff")?.reason).toBe("completed");
  });

  it("a section that ends with a message goes on to the next section she picked", () => {
    const preset = withFlow((f) => {
      const housing = f.nodes.poverty_housing;
      if (housing?.type === "choice") housing.next = "poverty_note";
      f.nodes.poverty_note = { type: "message", text: ["窓口もご案内できます。"], next: "return" };
    });
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").tap("お金・住まい・食べもの").tap("仕事のこと").tap("これで全部");
    chat.tap("ある").tap("いまは大丈夫");
    expect(chat.text()).toContain("窓口もご案内できます。");
    expect(chat.text()).toContain("お仕事のことで、近いものはありますか？");
  });

  it("a way out of a multi-select inside a section leaves the sections she picked before behind", () => {
    const preset = withFlow((f) => {
      const housing = f.nodes.poverty_housing;
      if (housing?.type === "choice") housing.next = "poverty_help";
      f.nodes.poverty_help = {
        type: "choice",
        text: ["ほかに知りたいことはありますか？"],
        field: "supportWish",
        multiple: true,
        skippable: true,
        oncePerPerson: false,
        choices: [
          { id: "phone", label: "電話で話したい", value: "phone", match: [], risk: [] },
          { id: "job", label: "先に仕事のことを", next: "work_issue", match: [], risk: [] },
        ],
        next: "return",
      };
    });
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").tap("お金・住まい・食べもの").tap("こころ・さみしさ").tap("これで全部");
    chat.tap("ある").tap("いまは大丈夫").tap("先に仕事のことを").tap("仕事を失った・失いそう").tap("正社員");
    expect(chat.text()).not.toContain("最近のこころの調子");
    expect(chat.effect("handoff")?.reason).toBe("completed");
  });

  it("a multi-select without next hands her over after the sections she picked", () => {
    const preset = withFlow((f) => {
      const topics = f.nodes.topics;
      if (topics?.type === "choice") delete topics.next;
    });
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").tap("仕事のこと").tap("これで全部");
    chat.tap("仕事を失った・失いそう").tap("正社員");
    expect(chat.effect("handoff")?.reason).toBe("completed");
    expect(chat.text()).not.toContain(preset.flow.messages.flowChanged[0]);
  });
});

describe("lists she asked for", () => {
  /** Both list nodes with two texts of their own: what comes with the list joins the last. */
  const twoTexts = withFlow((f) => {
    for (const id of ["products_points", "gatherings_list"]) {
      const node = f.nodes[id];
      if (node?.type === "pickupPoints" || node?.type === "gatherings") node.text = ["一つめ", "二つめ"];
    }
  });
  const texts = (chat: Chat) => chat.messages().map((m) => m.text);

  it("with no gathering coming, the none-text joins the node's last text, then the next question", () => {
    const node = twoTexts.flow.nodes.gatherings_list;
    const chat = new Chat(twoTexts, OPEN).follow().tap("はい、大丈夫").tap("居場所・集まりを知りたい").tap("前橋市");
    expect(texts(chat)).toEqual(["一つめ", `二つめ\n${node?.type === "gatherings" ? node.noneText : ""}`, "もしほかに困っていることがあれば、相談員に話すこともできます。"]);
  });

  it("her region's pickup points join the node's last text", () => {
    const chat = new Chat(twoTexts, OPEN).follow().tap("はい、大丈夫").tap("生理用品を受け取りたい").tap("前橋市");
    const [first, second] = texts(chat);
    expect(first).toBe("一つめ");
    expect(second).toMatch(/^二つめ\n・前橋市役所/);
  });
});

describe("questions asked once per person", () => {
  const toAwareness = (chat: Chat) =>
    chat.follow().tap("はい、大丈夫").tap("その他").tap("これで全部").tap("前橋市").tap("20代").tap("このままLINEで");

  it("is asked when the runtime hands the engine no record of her earlier questions", () => {
    const chat = new Chat(gunma, OPEN);
    chat.askedOnce = undefined;
    expect(toAwareness(chat).text()).toContain("この相談窓口を、何で知りましたか？");
    expect(chat.effect("askedOnce")).toEqual({ type: "askedOnce", field: "answers.awareness" });
  });

  it("one whose choices each lead their own way, with no next of its own, is asked again rather than skipped", () => {
    const preset = choicesLeadTo("awareness", "done");
    const chat = new Chat(preset, OPEN);
    chat.askedOnce = ["answers.awareness"];
    expect(toAwareness(chat).text()).toContain("この相談窓口を、何で知りましたか？");
    expect(chat.effect("handoff")).toBeUndefined();
  });
});

describe("what she types at a choice", () => {
  it("a sentence that contains a choice's word picks it", () => {
    const chat = new Chat(gunma, OPEN).follow().tap("はい、大丈夫").say("家賃が払えなくて困っています");
    expect(chat.triage().topics).toEqual(["poverty"]);
    expect(chat.text()).toContain("今日、食べるものはありますか？");
  });
});

describe("multi-selects of a deployment's own", () => {
  it("the done button is named by the flow's own label", () => {
    const preset = withFlow((f) => {
      const topics = f.nodes.topics;
      if (topics?.type !== "choice") return;
      delete topics.moreText;
      topics.doneLabel = "選び終わった";
    });
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").tap("仕事のこと");
    expect(chat.text()).toBe("ほかにもあれば選んでください。なければ「選び終わった」を。");
    expect(chat.labels()).toContain("選び終わった");
  });

  it("a multi-select of support wishes offers what she has not picked yet, and its done button", () => {
    const preset = withFlow((f) => {
      const support = f.nodes.support;
      if (support?.type === "choice") support.multiple = true;
    });
    const chat = new Chat(preset, OPEN).follow().tap("はい、大丈夫").tap("その他").tap("これで全部").tap("前橋市").tap("20代");
    chat.tap("電話で話したい");
    expect(chat.triage().supportWish).toEqual(["phone"]);
    expect(chat.labels()).not.toContain("電話で話したい");
    expect(chat.labels()).toEqual(expect.arrayContaining(["このままLINEで", "これで全部"]));
  });
});
