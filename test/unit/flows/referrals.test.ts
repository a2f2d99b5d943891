import { codedReferrals, givenReferrals, OTHER_REFERRAL } from "../../../src/flows/referrals";

/**
 * A counsellor closes a consultation with the agencies she referred the woman to: the report
 * counts the directory's partners by name and every typed agency as その他; the close dialog
 * shows what she gave.
 */
describe("the referrals of a closing consultation", () => {
  const directory = ["配偶者暴力相談支援センター", "性暴力被害者サポートセンター", "閉じた窓口"];

  it("counts the directory's partners by name, each once, with no その他 when she typed none", () => {
    expect(
      codedReferrals(directory, [
        "性暴力被害者サポートセンター",
        "配偶者暴力相談支援センター",
        "性暴力被害者サポートセンター",
      ]),
    ).toEqual({
      coded: ["性暴力被害者サポートセンター", "配偶者暴力相談支援センター"],
      typed: [],
    });
  });

  it("counts an archived partner by name too: the directory's names include it", () => {
    expect(codedReferrals(directory, ["閉じた窓口"])).toEqual({ coded: ["閉じた窓口"], typed: [] });
  });

  it("counts agencies she typed as one その他, however many, and keeps their names apart", () => {
    expect(
      codedReferrals(directory, ["市役所の福祉課", "配偶者暴力相談支援センター", "法テラス", "市役所の福祉課"]),
    ).toEqual({
      coded: ["配偶者暴力相談支援センター", OTHER_REFERRAL],
      typed: ["市役所の福祉課", "法テラス"],
    });
  });

  it("counts その他 picked as such once, with no typed name to keep", () => {
    expect(codedReferrals(directory, [OTHER_REFERRAL, "法テラス", OTHER_REFERRAL])).toEqual({
      coded: [OTHER_REFERRAL],
      typed: ["法テラス"],
    });
    expect(codedReferrals(directory, [OTHER_REFERRAL])).toEqual({ coded: [OTHER_REFERRAL], typed: [] });
  });

  it("counts nothing for a consultation without referrals", () => {
    expect(codedReferrals(directory, [])).toEqual({ coded: [], typed: [] });
  });

  it("shows the close dialog what she gave: その他 replaced by the agencies she typed", () => {
    expect(givenReferrals(["配偶者暴力相談支援センター", OTHER_REFERRAL], ["市役所の福祉課", "法テラス"])).toEqual([
      "配偶者暴力相談支援センター",
      "市役所の福祉課",
      "法テラス",
    ]);
  });

  it("shows the coding as it is when she typed nothing, その他 included", () => {
    expect(givenReferrals(["配偶者暴力相談支援センター", OTHER_REFERRAL], [])).toEqual([
      "配偶者暴力相談支援センター",
      OTHER_REFERRAL,
    ]);
  });

  it("gives back what was coded and typed, whatever the directory: the round trip keeps her choice", () => {
    const given = ["法テラス", "性暴力被害者サポートセンター"];
    const { coded, typed } = codedReferrals(directory, given);
    expect(givenReferrals(coded, typed)).toEqual(["性暴力被害者サポートセンター", "法テラス"]);
  });
});
