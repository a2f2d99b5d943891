import { lockScreenProblem, personNear } from "../../../src/flows/shared-phone";
import { emptyTriage } from "../../../src/flows/flow-turn";

describe("what a lock screen may show", () => {
  it("names the word that makes a first line unsafe, in any spelling", () => {
    expect(lockScreenProblem("ＤＶのご相談について")).toBe("DV");
    expect(lockScreenProblem("ぼ う りょ く のこと")).toBe("ぼうりょく");
    expect(lockScreenProblem("死にたい気持ちについて")).toBe("死");
  });

  it("reads only the first line: the rest is not shown on the lock screen", () => {
    expect(lockScreenProblem("お返事です。\nDVのことで相談してくれてありがとう")).toBeUndefined();
    expect(lockScreenProblem("お知らせです。\r\n警察に相談できます")).toBeUndefined();
  });

  it("takes the preset's own words as well as the built-in ones", () => {
    expect(lockScreenProblem("女性相談センターからです")).toBeUndefined();
    expect(lockScreenProblem("女性相談センターからです", "女性相談")).toBe("女性相談");
  });

  it("does not take a date or a time for the police's number", () => {
    expect(lockScreenProblem("11/05 11:00 にお返事します")).toBeUndefined();
    expect(lockScreenProblem("110番に電話を")).toBe("110番");
  });
});

describe("whether the person is near her", () => {
  it("is so once her words or a button set the person-near risk", () => {
    const triage = emptyTriage();
    expect(personNear(triage)).toBe(false);
    triage.risk.categories = ["suicide"];
    expect(personNear(triage)).toBe(false);
    triage.risk.categories = ["suicide", "abuser-nearby"];
    expect(personNear(triage)).toBe(true);
  });
});
