import { renderCannedReply } from "../../../src/flows/flow-text";
import { partnerContactText } from "../../../src/flows/referrals";
import { lockScreenProblem } from "../../../src/flows/shared-phone";
import { gunma } from "../../support/presets";

describe("a partner's contact text, put into a counsellor's reply", () => {
  it("names the partner, its phone and hours, and how to go about it, below a safe first line", () => {
    const partner = gunma().partners.find((p) => p.name === "性暴力被害者サポートセンター");
    const text = partnerContactText(partner!);
    expect(text?.split("\n")).toEqual([
      "こちらも相談できるところです。",
      "・性暴力被害者サポートセンター",
      "電話 #8891（24時間（夜間・休日は全国共通の窓口につながります））",
      "電話をかけると最寄りのワンストップ支援センターにつながります。名前を言わなくても相談できます。",
    ]);
    // The partner's name alone would show 暴力 on her lock screen; the text as a whole does not.
    expect(lockScreenProblem("性暴力被害者サポートセンター")).toBeDefined();
    expect(lockScreenProblem(text!)).toBeUndefined();
  });

  it("gives the phone alone, with no empty brackets or line, for a partner without hours or a way to refer", () => {
    expect(partnerContactText({ name: "法テラス", phone: "0570-078374" })).toBe(
      "こちらも相談できるところです。\n・法テラス\n電話 0570-078374",
    );
    expect(partnerContactText({ name: "法テラス", phone: "0570-078374", hours: "平日9時〜21時" })).toBe(
      "こちらも相談できるところです。\n・法テラス\n電話 0570-078374（平日9時〜21時）",
    );
    expect(
      partnerContactText({ name: "法テラス", phone: "0570-078374", howToRefer: "「女性相談から」と伝えてください。" }),
    ).toBe("こちらも相談できるところです。\n・法テラス\n電話 0570-078374\n「女性相談から」と伝えてください。");
  });

  it("is null for a partner without a phone: there is nothing to give her", () => {
    expect(partnerContactText({ name: "社会福祉協議会" })).toBeNull();
  });

  it("fills in the counsellor's name in a canned reply, and leaves any other placeholder", () => {
    expect(renderCannedReply("相談員の{{ counsellorName }}です。{{place}}", { counsellorName: "あおい" })).toBe(
      "相談員のあおいです。{{place}}",
    );
  });
});
