import { randomBytes } from "node:crypto";
import { pseudonymFor } from "../../src/privacy/pseudonym";
import { createSealer } from "../../src/privacy/sealer";
import { startServiceWithSimulator, type ServiceUnderTest } from "../support/service-harness";
import { testConfig } from "../support/test-env";

const sealer = createSealer(testConfig({ databaseUrl: "" }).appSecretKey);
/** The first line of the Gunma preset's greeting (flows/gunma/flow.yaml). */
const GREETING_START = "こんにちは。";

describe("a new woman's pseudonym", () => {
  let s: ServiceUnderTest;
  afterEach(async () => s.stop());

  it("is another one when hers is already someone else's: she is greeted all the same", async () => {
    s = await startServiceWithSimulator();
    const her = s.sim.person();
    const hash = sealer.hash(her.userId);
    // Someone who wrote in long ago already holds the pseudonym her hash gives first.
    const taken = pseudonymFor(hash);
    const other = await s.db.prisma.person.create({
      data: { lineUserHash: "an-earlier-person", lineUserIdEnc: randomBytes(8), pseudonym: taken },
    });

    await her.follow();
    const greeting = await her.nextMessage({ timeoutMs: 10_000 });
    expect(greeting.text).toMatch(new RegExp(`^${GREETING_START}`));

    const person = await s.db.prisma.person.findUniqueOrThrow({ where: { lineUserHash: hash } });
    expect(person.pseudonym).not.toBe(taken);
    expect(person.pseudonym).toMatch(/^\p{Script=Han}+\p{Script=Hiragana}+-[2-9A-HJ-NP-Z]{6}$/u);
    // The earlier person keeps hers: counsellors who know her by it still find her.
    expect(await s.db.prisma.person.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({
      pseudonym: taken,
    });
  });
});
