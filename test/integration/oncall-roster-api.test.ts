import { randomBytes } from "node:crypto";
import { account, ConsoleClient, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";

interface Shift {
  id: string;
  counsellor: { id: string; loginName: string };
  regionId: string | null;
  priority: number;
  editable: boolean;
}
interface Person {
  id: string;
  loginName: string;
  email: string | null;
}

/**
 * The on-call roster and notifications through the console API: only supervisors and admins,
 * a region's supervisor only for her or his region, and every bad input a 4xx with its code.
 */
describe("on-call roster API", () => {
  let c: ConsoleOnClock;
  let admin: ConsoleClient;
  let supWest: ConsoleClient; // 西毛's supervisor
  let supAll: ConsoleClient;
  let west: ConsoleClient; // a counsellor of 西毛
  const ids: Record<string, string> = {};
  const shift = (over: Record<string, unknown>) => ({
    counsellorId: ids.supwest,
    regionId: "seimo",
    startsAt: "2026-12-24T09:00:00.000Z",
    endsAt: "2026-12-25T00:00:00.000Z",
    priority: 1,
    ...over,
  });

  beforeAll(async () => {
    c = await startConsoleOnClock(() => Date.parse("2026-12-01T00:00:00Z"));
    await account(c.db.prisma, "admin", "admin", null, "admin@example.org");
    await account(c.db.prisma, "supwest", "supervisor", "seimo", "west@example.org");
    await account(c.db.prisma, "supeast", "supervisor", "tomo", "east@example.org");
    await account(c.db.prisma, "supall", "supervisor", null, "supall@example.org");
    for (const p of await c.db.prisma.counsellor.findMany()) ids[p.loginName] = p.id;
    const signIn = (name: string) => ConsoleClient.signedIn(c.url, name, PASSWORD);
    admin = await signIn("admin");
    supWest = await signIn("supwest");
    supAll = await signIn("supall");
    west = await signIn("west");
  }, 60_000);
  afterAll(() => c.stop());

  it("is for supervisors and admins only", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/oncall/shifts"],
      ["GET", "/api/v1/oncall/people"],
      ["GET", "/api/v1/oncall/notifications"],
      ["POST", "/api/v1/oncall/shifts"],
    ]) {
      const res = await west.call(
        method ?? "GET",
        path ?? "",
        method === "POST" ? shift({}) : undefined,
      );
      expect(res).toMatchObject({ status: 403, json: { code: "FORBIDDEN" } });
    }
    expect((await new ConsoleClient(c.url).get("/api/v1/oncall/shifts")).status).toBe(401);
  });

  it("lets a region's supervisor plan her region only, and shows every-region shifts read-only", async () => {
    const own = await supWest.post("/api/v1/oncall/shifts", shift({}));
    expect(own).toMatchObject({
      status: 201,
      json: { regionId: "seimo", priority: 1, editable: true },
    });
    const elsewhere = await supWest.post("/api/v1/oncall/shifts", shift({ regionId: "tomo" }));
    expect(elsewhere).toMatchObject({ status: 403, json: { code: "FORBIDDEN_REGION" } });
    const everywhere = await supWest.post("/api/v1/oncall/shifts", shift({ regionId: null }));
    expect(everywhere).toMatchObject({ status: 403, json: { code: "FORBIDDEN_REGION" } });

    // The admin puts supall on call for every region, and supeast for 東毛.
    const all = await admin.post(
      "/api/v1/oncall/shifts",
      shift({ counsellorId: ids.supall, regionId: null, priority: 2 }),
    );
    expect(all.status).toBe(201);
    const east = await admin.post(
      "/api/v1/oncall/shifts",
      shift({ counsellorId: ids.supeast, regionId: "tomo" }),
    );
    expect(east.status).toBe(201);

    const seen = (await supWest.get("/api/v1/oncall/shifts?from=2026-12-20T00:00:00Z"))
      .json as unknown as Shift[];
    expect(seen.map((s) => [s.counsellor.loginName, s.regionId, s.editable])).toEqual([
      ["supwest", "seimo", true],
      ["supall", null, false],
    ]);
    // 東毛's shift is not hers to see or remove.
    const eastId = (east.json as unknown as Shift).id;
    expect(await supWest.call("DELETE", `/api/v1/oncall/shifts/${eastId}`)).toMatchObject({
      status: 404,
      json: { code: "NOT_FOUND" },
    });
    const allId = (all.json as unknown as Shift).id;
    expect(await supWest.call("DELETE", `/api/v1/oncall/shifts/${allId}`)).toMatchObject({
      status: 403,
      json: { code: "FORBIDDEN_REGION" },
    });
    expect(await admin.call("DELETE", "/api/v1/oncall/shifts/not-a-shift")).toMatchObject({
      status: 404,
      json: { code: "NOT_FOUND" },
    });
    // Her own shift she removes, and the audit log says who did.
    const ownId = (own.json as unknown as Shift).id;
    expect((await supWest.call("DELETE", `/api/v1/oncall/shifts/${ownId}`)).status).toBe(204);
    const audit = await c.db.prisma.auditEntry.findMany({
      where: {
        action: { in: ["oncall-shift-add", "oncall-shift-remove"] },
        counsellorId: ids.supwest,
      },
      orderBy: { at: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["oncall-shift-add", "oncall-shift-remove"]);
  });

  it("refuses bad shifts with stable codes", async () => {
    const post = (over: Record<string, unknown>) =>
      admin.post("/api/v1/oncall/shifts", shift(over));
    expect(await post({ endsAt: "2026-12-24T08:00:00.000Z" })).toMatchObject({
      status: 400,
      json: { code: "INVALID_INPUT" },
    });
    expect(await post({ endsAt: "2027-02-24T08:00:00.000Z" })).toMatchObject({
      status: 400,
      json: { code: "INVALID_INPUT" },
    });
    expect(await post({ priority: 0 })).toMatchObject({
      status: 400,
      json: { code: "INVALID_INPUT" },
    });
    expect(await post({ startsAt: "tomorrow" })).toMatchObject({
      status: 400,
      json: { code: "INVALID_INPUT" },
    });
    expect(await post({ regionId: "kanto" })).toMatchObject({
      status: 400,
      json: { code: "UNKNOWN_REGION" },
    });
    // Counsellors are not on call; a person without an address cannot be reached; a region's
    // supervisor cannot be on call for another region (she cannot see its conversations).
    expect(await post({ counsellorId: ids.west })).toMatchObject({
      status: 400,
      json: { code: "ONCALL_NOT_ELIGIBLE" },
    });
    const noMail = randomBytes(4).toString("hex");
    await account(c.db.prisma, `sup${noMail}`, "supervisor", null);
    const person = await c.db.prisma.counsellor.findUniqueOrThrow({
      where: { loginName: `sup${noMail}` },
    });
    expect(await post({ counsellorId: person.id, regionId: null })).toMatchObject({
      status: 400,
      json: { code: "ONCALL_NO_EMAIL" },
    });
    expect(await post({ counsellorId: ids.supeast, regionId: "seimo" })).toMatchObject({
      status: 400,
      json: { code: "ONCALL_OUT_OF_REGION" },
    });
  });

  it("lets each person set her own address, and admins anyone's", async () => {
    expect(
      await supAll.call("PATCH", `/api/v1/oncall/people/${ids.supall}`, {
        email: "all@example.org",
      }),
    ).toMatchObject({ status: 204 });
    expect(
      await supAll.call("PATCH", `/api/v1/oncall/people/${ids.supwest}`, {
        email: "x@example.org",
      }),
    ).toMatchObject({ status: 403, json: { code: "FORBIDDEN" } });
    expect(
      await supWest.call("PATCH", `/api/v1/oncall/people/${ids.supeast}`, {
        email: "x@example.org",
      }),
    ).toMatchObject({ status: 404, json: { code: "NOT_FOUND" } });
    expect(
      await supAll.call("PATCH", `/api/v1/oncall/people/${ids.supall}`, {
        email: "not an address",
      }),
    ).toMatchObject({ status: 400, json: { code: "INVALID_INPUT" } });
    expect(
      await admin.call("PATCH", `/api/v1/oncall/people/${ids.supwest}`, {
        email: "west2@example.org",
      }),
    ).toMatchObject({ status: 204 });
    const people = (await supWest.get("/api/v1/oncall/people")).json as unknown as Person[];
    // 西毛's supervisor sees who may be on call for 西毛: not 東毛's supervisor.
    expect(people.map((p) => p.loginName)).not.toContain("supeast");
    expect(people.find((p) => p.loginName === "supwest")?.email).toBe("west2@example.org");
    expect(people.find((p) => p.loginName === "supall")?.email).toBe("all@example.org");
  });

  it("lets only the region's on-call people acknowledge a notification, once, audited", async () => {
    const hash = randomBytes(16).toString("hex");
    const person = await c.db.prisma.person.create({
      data: { lineUserHash: hash, lineUserIdEnc: randomBytes(8), pseudonym: `P-${hash}` },
    });
    const conversation = await c.db.prisma.conversation.create({
      data: { personId: person.id, status: "waiting", regionId: "tomo", riskLevel: "high" },
    });
    const n = await c.db.prisma.onCallNotification.create({
      data: {
        conversationId: conversation.id,
        kind: "high-risk-out-of-hours",
        regionId: "tomo",
        riskCategories: ["suicide"],
        createdAt: new Date("2026-11-30T20:00:00Z"),
      },
    });
    const path = `/api/v1/oncall/notifications/${n.id}/ack`;
    expect(await supWest.post(path)).toMatchObject({ status: 404, json: { code: "NOT_FOUND" } });
    expect(await west.post(path)).toMatchObject({ status: 403, json: { code: "FORBIDDEN" } });
    expect((await supWest.get("/api/v1/oncall/notifications")).json).toEqual([]);
    const east = await ConsoleClient.signedIn(c.url, "supeast", PASSWORD);
    const listed = (await east.get("/api/v1/oncall/notifications")).json as unknown as {
      id: string;
    }[];
    expect(listed.map((l) => l.id)).toEqual([n.id]);
    const ack = await east.post(path);
    expect(ack).toMatchObject({ status: 200, json: { acknowledgedBy: "相談員supeast" } });
    expect(await supAll.post(path)).toMatchObject({
      status: 200,
      json: { acknowledgedBy: "相談員supeast" },
    });
    const audit = await c.db.prisma.auditEntry.findMany({ where: { action: "oncall-ack" } });
    expect(audit).toHaveLength(1);
    expect(await admin.post("/api/v1/oncall/notifications/not-a-uuid/ack")).toMatchObject({
      status: 404,
    });
  });

  it("documents the on-call routes in the OpenAPI document", async () => {
    const doc = (await (await fetch(`${c.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { "x-roles"?: string[] }>>;
    };
    for (const [path, method] of [
      ["/api/v1/oncall/shifts", "get"],
      ["/api/v1/oncall/shifts", "post"],
      ["/api/v1/oncall/shifts/{id}", "delete"],
      ["/api/v1/oncall/people", "get"],
      ["/api/v1/oncall/people/{id}", "patch"],
      ["/api/v1/oncall/notifications", "get"],
      ["/api/v1/oncall/notifications/{id}/ack", "post"],
    ] as const) {
      expect(doc.paths[path]?.[method]?.["x-roles"]).toEqual(["supervisor", "admin"]);
    }
  });
});
