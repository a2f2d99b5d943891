/**
 * Help that fits the risk: what she receives after a risk word depends on what she wrote, on the
 * hour, on whether the person is near, on whether the greeting ever came, and on whether a
 * counsellor has her. Through the engine with the real presets, as the worker runs it.
 */
import { helpLines } from "../../../src/flows/risk-help";
import { RISK_CATEGORIES } from "../../../src/flows/risk-categories";
import { lockScreenProblem } from "../../../src/flows/shared-phone";
import type { EngineState, Hotline, Preset } from "../../../src/flows/flow-types";
import { Chat, gunma, jst, OPEN, useJapaneseAnalyser, yamaguchi } from "./chat-harness";

useJapaneseAnalyser();

/** Tuesday 23:30: every Gunma region is closed. */
const NIGHT = jst("2026-11-24T23:30:00");

const greeted = (now = OPEN) => new Chat(gunma, now).follow().tap("はい、大丈夫");

function state(chat: Chat): EngineState {
  if (!chat.state) throw new Error("no state yet");
  return chat.state;
}

/** The hotline lines of her messages ("・name number ..."), in the order she reads them. */
function listed(chat: Chat): string[] {
  return chat.text().split("\n").filter((l) => l.startsWith("・"));
}

describe("the lines fit what she wrote", () => {
  it("「レイプされた」 at night: #8891 first, as a 24-hour line, and no 110", () => {
    const lines = listed(greeted(NIGHT).say("レイプされた"));
    expect(lines[0]).toBe("・性暴力被害ワンストップ支援センター #8891（72時間以内なら緊急避妊の相談も） 24時間");
    expect(lines.join("\n")).not.toContain("110");
    // The chat for sexual violence closes at 21:00: a 24-hour chat is added for tonight.
    expect(lines).toContainEqual(expect.stringMatching(/^・.*（文字で） .* 24時間$/));
  });

  it("「レイプされた」 by day: the chat for sexual violence is the line to write to", () => {
    const lines = listed(greeted().say("レイプされた"));
    expect(lines).toEqual([expect.stringMatching(/#8891/), expect.stringMatching(/^・Cure Time.*（文字で） https:\/\/curetime\.jp\//)]);
  });

  it("wanting to die: いのちの電話 first, a line to write to, and 警察 nowhere", () => {
    const chat = greeted().say("もう死にたい");
    const lines = listed(chat);
    expect(lines[0]).toMatch(/^・いのちの電話 0570-783-556 /);
    expect(lines).toContainEqual(expect.stringMatching(/^・あなたのいばしょチャット（文字で） https:\/\/talkme\.jp\/ 24時間$/));
    expect(chat.text()).not.toMatch(/警察|110/);
  });

  it("wanting to die at night: the 24-hour lines come before いのちの電話, which closes at 22:00", () => {
    const lines = listed(greeted(NIGHT).say("もう死にたい"));
    const firstLimited = lines.findIndex((l) => !l.includes("24時間"));
    expect(firstLimited).toBeGreaterThan(0);
    expect(lines.slice(firstLimited).every((l) => !l.endsWith("24時間"))).toBe(true);
    expect(lines.findIndex((l) => l.includes("いのちの電話 "))).toBeGreaterThan(lines.findIndex((l) => l.includes("あなたのいばしょ")));
  });

  it("hit now: 110 first, then the DV lines (phone and chat)", () => {
    const lines = listed(greeted().say("さっき夫に殴られた"));
    expect(lines[0]).toMatch(/^・警察 110/);
    expect(lines.join("\n")).toContain("0120-279-889");
    expect(lines.join("\n")).toContain("https://soudanplus.jp/");
    expect(lines.join("\n")).toContain("#8008");
  });

  it("an injury brings 119, and a line to write to although no text line is for injuries", () => {
    const lines = listed(greeted().say("血が止まらない"));
    expect(lines[0]).toMatch(/^・救急 119/);
    expect(lines.some((l) => l.includes("（文字で）"))).toBe(true);
  });

  it("a mother afraid of hitting her child: 189, and 警察 nowhere", () => {
    const chat = greeted().say("つい子どもを叩いてしまう");
    expect(listed(chat)[0]).toMatch(/^・児童相談所虐待対応ダイヤル 189 /);
    expect(chat.text()).not.toMatch(/警察|110/);
  });

  it.each<[string, Preset]>([
    ["gunma", gunma],
    ["yamaguchi", yamaguchi],
  ])("%s: every known category has a line, and one she can write to now (a 24-hour one at night)", (_name, preset) => {
    for (const category of RISK_CATEGORIES) {
      for (const outOfHours of [false, true]) {
        const lines = helpLines(preset.hotlines, [category], { outOfHours });
        expect(lines.filter((h) => h.categories.includes(category)).length).toBeGreaterThan(0);
        expect(lines.some((h) => h.mode === "text" && (h.h24 || !outOfHours))).toBe(true);
        if (outOfHours) expect(lines[0]?.h24).toBe(true);
      }
    }
  });

  it("urgent needs: the welfare office by day with its hours, and a 24-hour line", () => {
    const lines = helpLines(gunma.hotlines, ["urgent-needs"], { outOfHours: true });
    expect(lines.map((h) => h.name)).toEqual(
      expect.arrayContaining(["よりそいホットライン", "福祉事務所（生活保護の相談）", "自立相談支援機関（くらしの困りごと）"]),
    );
    expect(lines.find((h) => h.name.startsWith("福祉事務所"))).toMatchObject({ h24: false, hours: "平日 8:30〜17:15" });
    expect(lines[0]?.h24).toBe(true);
  });
});

describe("the line she can write to, on a small NPO's own list", () => {
  /** A line of a preset: by day unless `h24`, for `categories`. */
  const line = (name: string, mode: Hotline["mode"], categories: string[], h24 = false): Hotline => ({
    name,
    number: "0000",
    hours: h24 ? "24時間" : "9:00〜17:00",
    h24,
    mode,
    categories,
    discreet: false,
  });
  const names = (hotlines: Hotline[], categories: string[], outOfHours: boolean) =>
    helpLines(hotlines, categories, { outOfHours }).map((h) => h.name);

  const dvPhone = line("DV電話", "voice", ["dv"]);
  const dvChat = line("DVチャット", "text", ["dv"]);
  const healthChat = line("からだのチャット", "text", ["injury"]);
  const nightChat = line("24時間チャット", "text", [], true);

  it("when one of her own lines can be written to now, nothing unrelated is added", () => {
    expect(names([nightChat, dvPhone, dvChat], ["dv"], false)).toEqual(["DV電話", "DVチャット"]);
  });

  it("a need no line is listed for still gets a line she can write to now", () => {
    expect(names([dvPhone, nightChat], ["stalking"], false)).toEqual(["24時間チャット"]);
  });

  it("at night, with her chat closed, a 24-hour chat comes first", () => {
    expect(names([dvPhone, dvChat, healthChat, nightChat], ["dv"], true)).toEqual(["24時間チャット", "DV電話", "DVチャット"]);
  });

  it("at night, with no chat open anywhere, her own chat (closed) is the one given, not another", () => {
    expect(names([dvPhone, healthChat, dvChat], ["dv"], true)).toEqual(["DV電話", "DVチャット"]);
  });

  it("at night, with no chat open and none for her need, she still gets a chat to write to when it opens", () => {
    expect(names([dvPhone, healthChat], ["dv"], true)).toEqual(["DV電話", "からだのチャット"]);
  });
});

describe("the cool-down, and a new danger within it", () => {
  const waiting = () => new Chat(gunma, OPEN).say("相談員と話したい");
  const later = (minutes: number) => new Date(OPEN.getTime() + minutes * 60_000);

  it("the same danger again within the cool-down sends nothing", () => {
    const chat = waiting().say("死にたい");
    chat.now = later(5);
    expect(chat.say("やっぱり死にたい").effect("send")).toBeUndefined();
  });

  it("a new danger within the cool-down brings its own lines, without repeating the others", () => {
    const chat = waiting().say("死にたい");
    chat.now = later(5);
    const lines = listed(chat.say("昨日レイプされた"));
    expect(lines[0]).toMatch(/#8891/);
    expect(lines.join("\n")).not.toContain("いのちの電話");
    chat.now = later(10);
    expect(chat.say("死にたいし、レイプされた").effect("send")).toBeUndefined();
  });
});

describe("shared phone: the person is near", () => {
  it("answering 「いる」 gets one short line: no list, nothing naming DV or 110, at most one number", () => {
    const chat = greeted().tap("パートナー・家族のこと").tap("これで全部").tap("いる");
    const messages = chat.messages();
    expect(messages).toHaveLength(1);
    const text = messages[0]?.text ?? "";
    expect(text).not.toContain("\n");
    expect(text).not.toMatch(/DV|110|警察|暴力|相談＋/);
    expect(text.match(/\d{4}-\d{3}-\d{3}/g)).toEqual(["0120-279-889"]);
    expect(chat.effect("handoff")?.reason).toBe("risk");
  });

  it("a risk word once he is near: still the one line, and later ones too", () => {
    const chat = greeted().tap("パートナー・家族のこと").tap("これで全部").tap("いる");
    chat.now = new Date(OPEN.getTime() + 60_000);
    chat.say("殴られた、たすけて");
    expect(chat.messages()).toHaveLength(1);
    expect(chat.text()).not.toMatch(/110|DV/);
  });

  it("her first message says he is beside her: the one line names the exit word", () => {
    const chat = new Chat(gunma, NIGHT).say("夫が隣の部屋にいる");
    expect(chat.messages()).toHaveLength(1);
    expect(chat.text()).toContain("「おわり」");
    expect(chat.text()).not.toMatch(/110|DV|受付時間外/);
  });
});

describe("her first message is a risk message (the greeting never came)", () => {
  it("the help and the exit word arrive in one message, its first line safe", () => {
    const chat = new Chat(gunma, NIGHT).say("死にたい");
    const first = chat.messages()[0]?.text ?? "";
    expect(first).toContain("「おわり」とだけ送ってください");
    expect(first).toContain("https://talkme.jp/");
    expect(first).toContain("0570-783-556");
    expect(lockScreenProblem(first)).toBeUndefined();
    expect(chat.effect("handoff")).toMatchObject({ reason: "risk", outOfHours: true });
  });

  it("after the greeting, the exit word is not repeated in the notice", () => {
    expect(greeted().say("死にたい").text()).not.toContain("「おわり」");
  });

  it("a risk message after the exit word starts a conversation again: the exit word comes with the help", () => {
    const chat = greeted().say("おわり").say("死にたい");
    expect(chat.messages()[0]?.text).toContain("「おわり」とだけ送ってください");
  });
});

describe("a counsellor's chat", () => {
  it("a risk word marks the risk and the bot sends her nothing", () => {
    const chat = new Chat(gunma, NIGHT, "human").say("レイプされた");
    expect(chat.last.effects.map((e) => e.type)).toEqual(["markRisk", "setTriage"]);
  });

  it("once the counsellor is gone (she waits again), help comes again", () => {
    const chat = new Chat(gunma, OPEN, "human").say("死にたい");
    chat.phase = "bot";
    chat.state = { ...state(chat), status: "handed-off" };
    expect(chat.say("死にたい").text()).toContain("0570-783-556");
  });
});

describe("every risk notice is safe on a lock screen", () => {
  const cases: [string, () => Chat][] = [
    ["first message", () => new Chat(gunma, NIGHT)],
    ["after the greeting", () => greeted()],
    ["after the greeting, at night", () => greeted(NIGHT)],
    ["near", () => greeted().tap("パートナー・家族のこと").tap("これで全部").tap("いる")],
  ];
  const words = ["死にたい", "リスカした", "殴られた", "隣にいる", "娘が叩かれた", "レイプされた", "血が止まらない"];

  it.each(cases)("%s", (_label, start) => {
    for (const word of words) {
      const chat = start();
      chat.now = new Date(chat.now.getTime() + 31 * 60_000);
      for (const m of chat.say(word).messages()) expect([word, lockScreenProblem(m.text)]).toEqual([word, undefined]);
    }
  });
});

describe("older flow versions", () => {
  it("a conversation on 2026.1 still gets its notice, the 24-hour lines as that version wrote it", () => {
    const chat = greeted();
    chat.state = { ...state(chat), flowVersion: "2026.1" };
    const text = chat.say("死にたい").text();
    expect(text).toContain("いま危ないと感じたら");
    expect(text).toContain("0120-279-338");
  });
});
