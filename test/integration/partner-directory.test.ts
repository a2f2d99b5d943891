import { listPartners, seedPartnerDirectory } from "../../src/partners/partner-directory";
import { gunma } from "../support/presets";
import { createTestDatabase, type TestDatabase } from "../support/test-env";

/**
 * The partner directory (issue #18 point 2) is seeded from the preset at every start; what an
 * admin changed in the console afterwards must survive the next start. Real PostgreSQL.
 */
describe("the partner directory, seeded from the preset", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(() => db.drop());

  it("holds every preset partner with its contact fields after the first start", async () => {
    const preset = gunma();
    expect(await seedPartnerDirectory(db.prisma, preset)).toBe(preset.partners.length);
    const partners = await listPartners(db.prisma);
    expect(partners.map((p) => p.name).sort()).toEqual(preset.partners.map((p) => p.name).sort());
    const centre = partners.find((p) => p.name === "性暴力被害者サポートセンター");
    expect(centre).toMatchObject({
      phone: "#8891",
      regions: ["all"],
      topics: ["dv"],
      archived: false,
    });
  });

  it("keeps an admin's edit and archiving through the next start, and adds nothing twice", async () => {
    const preset = gunma();
    await seedPartnerDirectory(db.prisma, preset);
    await db.prisma.partner.update({
      where: { presetKey: "社会福祉協議会" },
      data: { name: "前橋市社会福祉協議会", phone: "027-000-0000" },
    });
    await db.prisma.partner.update({
      where: { presetKey: "ジョブカフェぐんま" },
      data: { archivedAt: new Date() },
    });

    expect(await seedPartnerDirectory(db.prisma, preset)).toBe(0);
    const names = (await listPartners(db.prisma)).map((p) => p.name);
    expect(names).toContain("前橋市社会福祉協議会");
    expect(names).not.toContain("社会福祉協議会");
    expect(names).not.toContain("ジョブカフェぐんま");
    const all = await listPartners(db.prisma, { includeArchived: true });
    expect(all).toHaveLength(preset.partners.length);
    expect(all.find((p) => p.name === "ジョブカフェぐんま")?.archived).toBe(true);
  });

  it("adds a partner the preset gained since, beside the edited ones", async () => {
    const preset = gunma();
    await seedPartnerDirectory(db.prisma, { ...preset, partners: preset.partners.slice(1) });
    expect(await seedPartnerDirectory(db.prisma, preset)).toBe(1);
    expect(await listPartners(db.prisma)).toHaveLength(preset.partners.length);
  });
});
