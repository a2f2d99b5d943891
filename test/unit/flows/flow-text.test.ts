/**
 * Placeholders in flow texts: what an NPO writes in flow.yaml and what she then reads.
 */
import {
  hotlineList,
  placeholdersIn,
  renderTemplate,
  staticVars,
  type TemplateVars,
} from "../../../src/flows/flow-text";
import { gunma } from "./chat-harness";

const VARS: TemplateVars = {
  serviceName: "ぐんま・ほほえみネット",
  hoursSummary: "平日 10:00〜17:00",
  hotlines: "・警察 110",
  hotlines24h: "・警察 110",
  riskHotlines: "・いのちの電話 0570-783-556",
  quietNumber: "0120-279-889",
  nextOpening: "明日 11月25日(水) 10:00",
  exitWord: "おわり",
  handoffWord: "相談員と話したい",
  silenceMinutes: "30",
};

describe("placeholders", () => {
  it("finds each {{name}}, with or without spaces inside the braces", () => {
    expect(placeholdersIn("{{serviceName}}です。{{ hotlines24h }}／{{name}}")).toEqual([
      "serviceName",
      "hotlines24h",
      "name",
    ]);
    expect(placeholdersIn("差し込みなし")).toEqual([]);
  });

  it("knows every placeholder the flows README lists", () => {
    const all = Object.keys(VARS).map((name) => `{{${name}}}`).join("|");
    expect(renderTemplate(all, VARS)).toBe(Object.values(VARS).join("|"));
  });

  it("fills in the known ones and leaves an unknown one as written", () => {
    expect(renderTemplate("{{ serviceName }}です。{{nextOpening}}から。{{name}}さん", VARS)).toBe(
      "ぐんま・ほほえみネットです。明日 11月25日(水) 10:00から。{{name}}さん",
    );
  });
});

describe("hotline lists", () => {
  it("one line per number: name, a mark for a line she can write to, number, note in brackets when there is one, hours", () => {
    const line = { categories: ["violence-now"], discreet: false };
    expect(
      hotlineList([
        { ...line, name: "警察", number: "110", hours: "24時間", h24: true, mode: "voice", note: "いま危ないとき" },
        { ...line, name: "DV相談ナビ", number: "#8008", hours: "窓口の受付時間内", h24: false, mode: "voice" },
        { ...line, name: "DV相談＋", number: "https://soudanplus.jp/", hours: "24時間", h24: true, mode: "text" },
      ]),
    ).toBe(
      "・警察 110（いま危ないとき） 24時間\n・DV相談ナビ #8008 窓口の受付時間内\n・DV相談＋（文字で） https://soudanplus.jp/ 24時間",
    );
  });

  it("a 24-hour line written without hours reads 24時間", () => {
    expect(gunma.hotlines.find((h) => h.number === "110")?.hours).toBe("24時間");
  });

  it("outside a risk notice {{riskHotlines}} is every line, {{quietNumber}} the first discreet one", () => {
    const vars = staticVars(gunma.flow, gunma);
    expect(vars.riskHotlines).toBe(vars.hotlines);
    expect(vars.quietNumber).toBe(gunma.hotlines.find((h) => h.discreet)?.number);
  });

  it("{{hotlines24h}} lists only the lines open around the clock, {{hotlines}} all of them", () => {
    const vars = staticVars(gunma.flow, gunma);
    expect(vars.hotlines.split("\n")).toHaveLength(gunma.hotlines.length);
    expect(vars.hotlines).toContain("#8008");
    expect(vars.hotlines24h).toContain("0120-279-889");
    expect(vars.hotlines24h).not.toContain("#8008");
    expect(vars.hotlines24h.split("\n")).toHaveLength(gunma.hotlines.filter((h) => h.h24).length);
  });

  it("the other variables come from the preset and the flow", () => {
    expect(staticVars(gunma.flow, gunma)).toMatchObject({
      serviceName: gunma.serviceName,
      hoursSummary: gunma.hoursSummary,
      nextOpening: "",
      exitWord: gunma.flow.keywords.exit[0],
      handoffWord: gunma.flow.settings.handoffButtonLabel,
      silenceMinutes: String(gunma.flow.settings.silenceMinutes),
    });
  });
});
