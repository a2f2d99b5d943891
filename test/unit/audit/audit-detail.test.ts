import {
  AUDIT_DETAIL_FIELDS,
  auditDetailProblem,
  type DetailKind,
} from "../../../src/audit/audit-detail";

/** What a person writes: a note, her words, a referral, a name typed at sign-in. */
const FREE_TEXT = [
  "夫が夜勤の時間なら話せるとのこと",
  "she said she is afraid to go home",
  "高崎市役所の佐藤さん",
  "Tanaka Hanako",
  "a".repeat(65),
];

/** A value of each kind that is no free text. */
const SAMPLE: Record<DetailKind, unknown> = {
  code: "wrong-password",
  codes: ["dv", "poverty"],
  id: "0b6f3c1e-3d7a-4c52-9d55-1b2f5a6c7d8e",
  boolean: true,
  number: 3,
  date: "2026-11-30T09:00:00.000Z",
};

describe("audit detail: codes, ids, booleans, numbers and dates, never free text", () => {
  it("declares every field with a kind that cannot hold free text", () => {
    const kinds = new Set(Object.values(AUDIT_DETAIL_FIELDS) as string[]);
    // A field of another kind (a "text", a "string") would let free text in: declare none.
    expect([...kinds].every((k) => k in SAMPLE)).toBe(true);
    for (const [key, kind] of Object.entries(AUDIT_DETAIL_FIELDS)) {
      expect(auditDetailProblem({ [key]: SAMPLE[kind] })).toBeUndefined();
      for (const text of FREE_TEXT) {
        const value = kind === "codes" ? [text] : text;
        expect(auditDetailProblem({ [key]: value })).toBe(`${key} is not a ${kind}`);
      }
    }
  });

  it("refuses a key nobody declared, whatever its value", () => {
    expect(auditDetailProblem({ note: "reason" })).toBe(
      "note is not a declared audit detail field",
    );
    expect(auditDetailProblem({ loginName: "west" })).toBe(
      "loginName is not a declared audit detail field",
    );
  });

  it("takes a detail of declared fields, unset ones left out", () => {
    expect(
      auditDetailProblem({ from: "active", to: "closed", referralCount: 2, reason: undefined }),
    ).toBeUndefined();
    expect(
      auditDetailProblem({ regionId: null, heldSince: "2026-11-30T09:00:00Z" }),
    ).toBeUndefined();
    expect(auditDetailProblem({ heldSince: "yesterday evening" })).toBe("heldSince is not a date");
    expect(auditDetailProblem({ priority: Number.NaN })).toBe("priority is not a number");
    expect(auditDetailProblem({ set: "true" })).toBe("set is not a boolean");
  });
});
