import { testSealer } from "../support/sealed";
/**
 * Region isolation on every documented operation (/api/openapi.json): each operation that takes
 * an id, in its path or named in its query or body, is called with another region's (東毛's)
 * ids by a 西毛 counsellor, a 西毛 supervisor and a 西毛-bound admin. A path id answers 404 or
 * 403; an id named in the query or body answers exactly as an id that does not exist. Never a
 * success, never the other region's data. Lists show none of the other region's records.
 *
 * A new operation that takes an id fails "every id-taking operation has a fixture" until it has
 * a line in PROBES below: the kind of each id it takes and a valid request around it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { account, PASSWORD } from "../support/console-client";
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";

/** The kinds of id the API takes; each has one record of the other region (東毛) below. */
type IdKind =
  | "conversation"
  | "message"
  | "alert"
  | "shift"
  | "notification"
  | "counsellor"
  | "session"
  | "stuckWork"
  | "pseudonym"
  | "task"
  | "region"
  | "entry"
  | "caseRef"
  | "cannedReply"
  | "partner"
  | "referral"
  | "gathering"
  | "handout"
  | "person"
  | "pickupPoint";

type Ids = Record<IdKind, string>;

interface Probe {
  /** The kind of each path parameter. */
  path?: Record<string, IdKind>;
  /** Ids named in the query or body, and their kinds. */
  named?: Record<string, IdKind>;
  /** A valid request: `ids` are the other region's where probed, ours (西毛) elsewhere. */
  body?: (ids: Ids) => Record<string, unknown>;
  query?: (ids: Ids) => Record<string, string>;
  /** Id-like fields that may name another region by design, and why. */
  allowed?: Record<string, string>;
}

const LATER = () => new Date(Date.now() + 3600_000).toISOString();
const LATER2 = () => new Date(Date.now() + 7200_000).toISOString();

/** Every operation that takes an id: one line each. */
const PROBES: Record<string, Probe> = {
  "GET /api/v1/conversations/{id}": { path: { id: "conversation" } },
  "GET /api/v1/conversations/{id}/messages": {
    path: { id: "conversation" },
    query: () => ({ after: "0" }),
  },
  "POST /api/v1/conversations/{id}/claim": { path: { id: "conversation" } },
  "POST /api/v1/conversations/{id}/messages": {
    path: { id: "conversation" },
    body: () => ({ text: "こんにちは" }),
  },
  "GET /api/v1/conversations/{id}/preview": { path: { id: "conversation" } },
  "PATCH /api/v1/canned-replies/{id}": {
    path: { id: "cannedReply" },
    body: () => ({ text: "定型文" }),
  },
  "DELETE /api/v1/canned-replies/{id}": { path: { id: "cannedReply" } },
  "POST /api/v1/conversations/{id}/notes": {
    path: { id: "conversation" },
    body: () => ({ text: "メモ" }),
  },
  "POST /api/v1/conversations/{id}/transfer": {
    path: { id: "conversation" },
    named: { toCounsellorId: "counsellor" },
    body: (ids) => ({ toCounsellorId: ids.counsellor, note: "引き継ぎ" }),
    allowed: { toRegionId: "handing her to another region's queue is what a transfer is for" },
  },
  "POST /api/v1/conversations/{id}/close": {
    path: { id: "conversation" },
    body: () => ({ topics: [], referrals: [], followUps: [], riskLevel: "low" }),
  },
  "POST /api/v1/conversations/{id}/emergency": {
    path: { id: "conversation" },
    body: () => ({
      desire: true,
      plan: false,
      means: false,
      timeframe: false,
      decision: "no-call",
    }),
  },
  "GET /api/v1/messages/{id}/content": { path: { id: "message" } },
  "GET /api/v1/tasks": {
    named: { ownerId: "counsellor" },
    query: (ids) => ({ scope: "region", ownerId: ids.counsellor }),
  },
  "POST /api/v1/tasks": {
    named: {
      ownerId: "counsellor",
      conversationId: "conversation",
      regionId: "region",
      entryId: "entry",
      personPseudonym: "pseudonym",
    },
    // Every id named is checked before the rule "one of them": each is probed on its own.
    body: (ids) => ({
      kind: "call-back",
      dueOn: "2099-12-31",
      ownerId: ids.counsellor,
      conversationId: ids.conversation,
      entryId: ids.entry,
      personPseudonym: ids.pseudonym,
      regionId: ids.region,
    }),
    allowed: {
      partnerId:
        "the partner directory is the programme's, shared by every region (a 同行 may go to another region's office)",
    },
  },
  "GET /api/v1/casefiles/conversation/{id}": { path: { id: "conversation" } },
  "GET /api/v1/casefiles/entry/{id}": { path: { id: "entry" } },
  "GET /api/v1/casefiles/person/{pseudonym}": { path: { pseudonym: "pseudonym" } },
  "GET /api/v1/casefiles/case/{regionId}/{caseRef}": {
    path: { regionId: "region", caseRef: "caseRef" },
  },
  "POST /api/v1/stats/entries/{id}/link": {
    path: { id: "entry" },
    named: { personPseudonym: "pseudonym" },
    body: (ids) => ({ personPseudonym: ids.pseudonym, reason: "she-said" }),
  },
  "POST /api/v1/stats/entries/{id}/unlink": {
    path: { id: "entry" },
    body: () => ({ reason: "linked-by-mistake" }),
  },
  "POST /api/v1/tasks/{id}/close": { path: { id: "task" }, body: () => ({ outcome: "done" }) },
  "PATCH /api/v1/partners/{id}": { path: { id: "partner" }, body: () => ({ hours: "平日" }) },
  "POST /api/v1/partners/{id}/archive": { path: { id: "partner" } },
  "POST /api/v1/partners/{id}/restore": { path: { id: "partner" } },
  "GET /api/v1/conversations/{id}/referrals": { path: { id: "conversation" } },
  "POST /api/v1/conversations/{id}/referrals": {
    path: { id: "conversation" },
    named: { partnerId: "partner" },
    body: (ids) => ({ partnerId: ids.partner, consent: "yes" }),
  },
  "GET /api/v1/stats/entries/{id}/referrals": { path: { id: "entry" } },
  "POST /api/v1/stats/entries/{id}/referrals": {
    path: { id: "entry" },
    named: { partnerId: "partner" },
    body: (ids) => ({ partnerId: ids.partner, consent: "yes" }),
  },
  "PATCH /api/v1/referrals/{id}": {
    path: { id: "referral" },
    body: () => ({ outcome: "connected" }),
  },
  "POST /api/v1/campaigns": {
    named: { regionId: "region" },
    body: (ids) => ({
      code: `iso-${randomBytes(4).toString("hex")}`,
      name: "ポスター",
      regionId: ids.region,
    }),
  },
  "POST /api/v1/alerts/{id}/ack": { path: { id: "alert" } },
  "POST /api/v1/stuck-work/{key}/retry": { path: { key: "stuckWork" } },
  "GET /api/v1/audit": {
    named: { conversationId: "conversation" },
    query: (ids) => ({ conversationId: ids.conversation }),
  },
  "POST /api/v1/counsellors": {
    named: { regionId: "region" },
    body: (ids) => ({
      loginName: `iso-${randomBytes(4).toString("hex")}`,
      displayName: "新しい相談員",
      password: "a-long-enough-password",
      role: "counsellor",
      regionId: ids.region,
    }),
  },
  "POST /api/v1/accounts/{id}/deactivate": { path: { id: "counsellor" } },
  "POST /api/v1/accounts/{id}/reactivate": { path: { id: "counsellor" } },
  "POST /api/v1/accounts/{id}/password-reset": { path: { id: "counsellor" } },
  "GET /api/v1/accounts/{id}/sessions": { path: { id: "counsellor" } },
  "POST /api/v1/accounts/{id}/unlock": { path: { id: "counsellor" } },
  "DELETE /api/v1/accounts/{id}/second-factor": { path: { id: "counsellor" } },
  "DELETE /api/v1/sessions/{id}": { path: { id: "session" } },
  "DELETE /api/v1/oncall/shifts/{id}": { path: { id: "shift" } },
  "POST /api/v1/oncall/shifts": {
    named: { counsellorId: "counsellor", regionId: "region" },
    body: (ids) => ({
      counsellorId: ids.counsellor,
      regionId: ids.region,
      startsAt: LATER(),
      endsAt: LATER2(),
      priority: 1,
    }),
  },
  "PATCH /api/v1/oncall/people/{id}": {
    path: { id: "counsellor" },
    body: () => ({ email: "someone@example.org" }),
  },
  "POST /api/v1/oncall/notifications/{id}/ack": { path: { id: "notification" } },
  "GET /api/v1/people/{pseudonym}": { path: { pseudonym: "pseudonym" } },
  "POST /api/v1/people/{pseudonym}/erase": {
    path: { pseudonym: "pseudonym" },
    body: (ids) => ({ confirm: ids.pseudonym }),
  },
  "GET /api/v1/people/{pseudonym}/disclosure": { path: { pseudonym: "pseudonym" } },
  "GET /api/v1/people/{pseudonym}/disclosure.html": { path: { pseudonym: "pseudonym" } },
  "GET /api/v1/stats/report": {
    named: { region: "region" },
    query: (ids) => ({ region: ids.region, fiscalYear: "2026" }),
  },
  "GET /api/v1/stats/report.csv": {
    named: { region: "region" },
    query: (ids) => ({ region: ids.region, fiscalYear: "2026" }),
  },
  "GET /api/v1/stats/records.csv": {
    named: { region: "region" },
    query: (ids) => ({ region: ids.region, fiscalYear: "2026" }),
  },
  "GET /api/v1/stats/report.xlsx": {
    named: { region: "region" },
    query: (ids) => ({ region: ids.region, fiscalYear: "2026" }),
  },
  "GET /api/v1/stats/entries": {
    named: { region: "region" },
    query: (ids) => ({ region: ids.region, fiscalYear: "2026" }),
  },
  "PATCH /api/v1/stats/entries/{id}": {
    path: { id: "entry" },
    named: { personPseudonym: "pseudonym", regionId: "region" },
    body: (ids) => ({
      channel: "phone",
      regionId: ids.region,
      startedAt: new Date().toISOString(),
      topics: [],
      referrals: [],
      followUps: [],
      riskLevel: "low",
      personPseudonym: ids.pseudonym,
    }),
  },
  "DELETE /api/v1/stats/entries/{id}": { path: { id: "entry" } },
  "POST /api/v1/gatherings": {
    named: { regionId: "region" },
    body: (ids) => ({
      regionId: ids.region,
      startsAt: LATER(),
      place: "公民館",
      theme: "お茶の会",
    }),
  },
  "PATCH /api/v1/gatherings/{id}": { path: { id: "gathering" }, body: () => ({ headCount: 3 }) },
  "POST /api/v1/gatherings/{id}/attendees": {
    path: { id: "gathering" },
    named: { pseudonym: "pseudonym" },
    body: (ids) => ({ pseudonym: ids.pseudonym, consent: "verbal" }),
  },
  "DELETE /api/v1/gatherings/{id}/attendees/{personId}": {
    path: { id: "gathering", personId: "person" },
  },
  "POST /api/v1/gatherings/{id}/product-handouts": {
    path: { id: "gathering" },
    body: () => ({ handedOn: "2020-01-01", quantity: 1 }),
  },
  "POST /api/v1/product-handouts": {
    named: { regionId: "region", pickupPointId: "pickupPoint" },
    body: (ids) => ({
      regionId: ids.region,
      pickupPointId: ids.pickupPoint,
      handedOn: "2020-01-01",
      quantity: 1,
    }),
  },
  "DELETE /api/v1/product-handouts/{id}": { path: { id: "handout" } },
  "POST /api/v1/stats/entries": {
    named: { personPseudonym: "pseudonym", regionId: "region" },
    body: (ids) => ({
      channel: "phone",
      regionId: ids.region,
      startedAt: new Date().toISOString(),
      topics: [],
      referrals: [],
      followUps: [],
      riskLevel: "low",
      personPseudonym: ids.pseudonym,
    }),
  },
};

/** A name that says it holds an id (or a region): such a field must be probed or allowed. */
const ID_NAME = /(^id$|Id$|Ids$|^key$|Key$|[pP]seudonym$|^region$)/;

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: { "application/json": { schema: { properties?: object } } } };
  security?: unknown[];
}

interface Operation {
  key: string;
  method: string;
  path: string;
  pathParams: string[];
  namedIds: string[];
}

interface Answer {
  status: number;
  code: string | undefined;
  message: string | undefined;
  text: string;
}

describe("region isolation on every operation that takes an id", () => {
  let app: ConsoleOnClock;
  let operations: Operation[] = [];
  const other = {} as Ids;
  const ours = {} as Ids;
  /** Unknown ids of each kind: what an id of nothing answers. */
  const unknown: Ids = {
    conversation: randomUUID(),
    message: randomUUID(),
    alert: randomUUID(),
    shift: randomUUID(),
    notification: randomUUID(),
    task: randomUUID(),
    counsellor: randomUUID(),
    session: randomUUID(),
    stuckWork: `copy-media-${randomUUID()}`,
    pseudonym: "ナイヒト-000000",
    region: "nowhere",
    entry: randomUUID(),
    caseRef: "K-nobody",
    cannedReply: randomUUID(),
    partner: randomUUID(),
    referral: randomUUID(),
    gathering: randomUUID(),
    handout: randomUUID(),
    person: randomUUID(),
    pickupPoint: "nowhere_point",
  };
  const actors: Record<string, { cookie: string; csrf: string }> = {};
  const tally = { operations: 0, calls: 0 };

  async function signIn(loginName: string) {
    const res = await fetch(`${app.url}/api/v1/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ loginName, password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`${loginName} cannot sign in: ${res.status}`);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie, csrf: csrfToken };
  }

  async function call(
    actor: string,
    method: string,
    path: string,
    input: { query?: Record<string, string>; body?: Record<string, unknown> } = {},
  ): Promise<Answer> {
    const session = actors[actor];
    if (!session) throw new Error(`no actor ${actor}`);
    const query = input.query ? `?${new URLSearchParams(input.query).toString()}` : "";
    const res = await fetch(`${app.url}${path}${query}`, {
      method,
      headers: {
        cookie: session.cookie,
        "x-csrf-token": session.csrf,
        ...(input.body ? { "content-type": "application/json" } : {}),
      },
      body: input.body ? JSON.stringify(input.body) : undefined,
    });
    tally.calls += 1;
    const text = await res.text();
    let parsed: { code?: string; message?: string } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not JSON (a file, a CSV): a success, which the expectations below refuse.
    }
    return { status: res.status, code: parsed.code, message: parsed.message, text };
  }

  beforeAll(async () => {
    app = await startConsoleOnClock(() => Date.now());
    const prisma = app.db.prisma;
    await account(prisma, "iso-counsellor", "counsellor", "seimo");
    await account(prisma, "iso-supervisor", "supervisor", "seimo");
    await account(prisma, "iso-admin", "admin", "seimo");
    await account(prisma, "iso-global", "admin", null);
    await account(prisma, "tomo-sup", "supervisor", "tomo", "tomo-sup@example.org");
    await account(prisma, "seimo-sup2", "supervisor", "seimo", "seimo-sup2@example.org");
    for (const name of ["iso-counsellor", "iso-supervisor", "iso-admin", "iso-global"]) {
      actors[name] = await signIn(name);
    }
    // The other region's records, one of each kind, and ours where a request needs them.
    for (const [ids, region, supervisor] of [
      [other, "tomo", "tomo-sup"],
      [ours, "seimo", "seimo-sup2"],
    ] as const) {
      const person = await prisma.person.create({
        data: {
          lineUserHash: randomBytes(16).toString("hex"),
          lineUserIdEnc: randomBytes(32),
          pseudonym: `${region}-${randomBytes(3).toString("hex")}`,
        },
      });
      const at = new Date();
      const conversation = await prisma.conversation.create({
        data: {
          personId: person.id,
          status: "waiting",
          regionId: region,
          servingRegionId: region,
          municipality: region === "tomo" ? "太田市" : "高崎市",
          topics: ["dv"],
          waitingSince: at,
        },
      });
      const message = await prisma.message.create({
        data: {
          conversationId: conversation.id,
          personId: person.id,
          direction: "in",
          author: "person",
          kind: "image",
          lineMessageId: String(Date.now()) + randomBytes(2).readUInt16BE(),
          sentAt: at,
        },
      });
      await prisma.messageMedia.create({
        data: {
          messageId: message.id,
          contentType: "image/png",
          status: "stored",
          imageType: "image/png",
          size: 8,
          chunks: {
            create: {
              seq: 0,
              bytes: testSealer.sealBytes(
                Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
              ),
            },
          },
        },
      });
      const alert = await prisma.supervisorAlert.create({
        data: { conversationId: conversation.id, regionId: region, kind: "wait-too-long" },
      });
      const sup = await prisma.counsellor.findUniqueOrThrow({ where: { loginName: supervisor } });
      const shift = await prisma.onCallShift.create({
        data: {
          counsellorId: sup.id,
          regionId: region,
          startsAt: at,
          endsAt: new Date(at.getTime() + 86_400_000),
          priority: 1,
        },
      });
      const notification = await prisma.onCallNotification.create({
        data: {
          conversationId: conversation.id,
          kind: "high-risk-waiting",
          regionId: region,
          createdAt: at,
        },
      });
      const session = await prisma.consoleSession.create({
        data: {
          tokenHash: randomBytes(32).toString("hex"),
          csrfToken: randomBytes(16).toString("hex"),
          counsellorId: sup.id,
          expiresAt: new Date(at.getTime() + 86_400_000),
        },
      });
      const stuck = await prisma.jobOutbox.create({
        data: {
          key: `media-${message.id}`,
          name: "copy-media",
          payload: { messageId: message.id },
          state: "dead",
          dueAt: null,
          attempt: 6,
          lastError: "LINE did not answer",
          createdAt: new Date(at.getTime() - 3600_000),
        },
      });
      await prisma.auditEntry.create({
        data: { counsellorId: sup.id, action: "view", conversationId: conversation.id },
      });
      const task = await prisma.followUpTask.create({
        data: {
          regionId: region,
          conversationId: conversation.id,
          kind: "call-back",
          dueOn: new Date("2099-12-31T00:00:00Z"),
          ownerId: sup.id,
          createdById: sup.id,
        },
      });
      // A phone entry of the region, by its supervisor (ours: by the 西毛 counsellor, so that
      // every actor may change it and only the probed id decides).
      const author =
        region === "seimo"
          ? await prisma.counsellor.findUniqueOrThrow({ where: { loginName: "iso-counsellor" } })
          : sup;
      const entry = await prisma.consultationEntry.create({
        data: {
          channel: "phone",
          regionId: region,
          startedAt: at,
          riskLevel: "low",
          counsellorId: author.id,
        },
      });
      // A woman known by phone only: the region's case number.
      const caseRef = `K-${region}-${randomBytes(3).toString("hex")}`;
      await prisma.consultationEntry.create({
        data: {
          channel: "phone",
          regionId: region,
          caseRef,
          startedAt: at,
          riskLevel: "low",
          counsellorId: author.id,
        },
      });
      // Another person's own canned reply: hers alone, whatever the region.
      const canned = await prisma.cannedReply.create({
        data: { counsellorId: sup.id, text: "ご連絡ありがとうございます。" },
      });
      // A partner serving only this region, and a referral of this region's conversation to it.
      const partner = await prisma.partner.create({
        data: { name: `${region}の窓口`, kind: "npo", regions: [region], topics: [] },
      });
      const referral = await prisma.referral.create({
        data: {
          regionId: region,
          conversationId: conversation.id,
          partnerId: partner.id,
          consent: "yes",
          createdById: sup.id,
        },
      });
      // A 居場所 gathering of the region with its woman linked, and products handed out there.
      const gathering = await prisma.gathering.create({
        data: {
          regionId: region,
          startsAt: at,
          place: "公民館",
          theme: "お茶の会",
          createdById: sup.id,
          attendees: {
            create: {
              personId: person.id,
              consent: "verbal",
              recordedById: sup.id,
              recordedAt: at,
            },
          },
        },
      });
      const handout = await prisma.productHandout.create({
        data: {
          regionId: region,
          handedOn: new Date("2020-01-01T00:00:00Z"),
          month: "2020-01",
          gatheringId: gathering.id,
          quantity: 3,
          recordedById: sup.id,
        },
      });
      Object.assign(ids, {
        partner: partner.id,
        referral: referral.id,
        gathering: gathering.id,
        handout: handout.id,
        person: person.id,
        pickupPoint: region === "tomo" ? "ota_city" : "takasaki_city",
        entry: entry.id,
        caseRef,
        conversation: conversation.id,
        message: message.id,
        alert: alert.id,
        shift: shift.id,
        notification: notification.id,
        counsellor: sup.id,
        session: session.id,
        stuckWork: stuck.key,
        pseudonym: person.pseudonym,
        task: task.id,
        region,
        cannedReply: canned.id,
      } satisfies Ids);
    }
    const doc = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, OpenApiOperation>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => {
        const params = op.parameters ?? [];
        const body = op.requestBody?.content["application/json"].schema;
        const named = [
          ...params.filter((p) => p.in === "query").map((p) => p.name),
          ...Object.keys(body?.properties ?? {}),
        ].filter((name) => ID_NAME.test(name));
        return {
          key: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
          namedIds: named,
        };
      }),
    );
  }, 60_000);

  afterAll(async () => {
    // The figure for SECURITY.md and the closing note.
    console.log(
      `region isolation: ${tally.operations} id-taking operations of ${operations.length} documented, ${tally.calls} calls`,
    );
    await app.stop();
  });

  const ACTORS = ["iso-counsellor", "iso-supervisor", "iso-admin"];
  const takesIds = (op: Operation) => op.pathParams.length > 0 || op.namedIds.length > 0;
  /** The other region's records in an answer, beyond the id the caller sent (echoed back). */
  const leakedIn = (answer: Answer, sent: string[]) =>
    (Object.keys(other) as IdKind[])
      .filter((k) => k !== "region" && !sent.includes(other[k]))
      .some((k) => answer.text.includes(other[k]));

  it("every id-taking operation has a fixture", () => {
    const idTaking = operations.filter(takesIds);
    expect(idTaking.length).toBeGreaterThan(15);
    const uncovered = idTaking.filter((op) => {
      const probe = PROBES[op.key];
      if (!probe) return true;
      const pathCovered = op.pathParams.every((p) => probe.path?.[p] !== undefined);
      const namedCovered = op.namedIds.every(
        (n) => probe.named?.[n] !== undefined || probe.allowed?.[n] !== undefined,
      );
      return !pathCovered || !namedCovered;
    });
    expect(
      uncovered.map((op) => `${op.key} (${[...op.pathParams, ...op.namedIds].join(", ")})`),
    ).toEqual([]);
    // A probe for an operation that is gone is a line to remove.
    expect(Object.keys(PROBES).filter((k) => !operations.some((op) => op.key === k))).toEqual([]);
  });

  it("answers another region's id in a path with 404 or 403, for every role", async () => {
    const leaks: string[] = [];
    for (const op of operations.filter((o) => o.pathParams.length > 0)) {
      const probe = PROBES[op.key];
      if (!probe?.path) continue;
      tally.operations += 1;
      let path = op.path;
      for (const [name, kind] of Object.entries(probe.path)) {
        path = path.replace(`{${name}}`, encodeURIComponent(other[kind]));
      }
      for (const actor of ACTORS) {
        const answer = await call(actor, op.method, path, {
          body: probe.body?.(ours),
          query: probe.query?.(ours),
        });
        const sent = Object.values(probe.path).map((kind) => other[kind]);
        if (![403, 404].includes(answer.status) || leakedIn(answer, sent)) {
          leaks.push(`${actor} ${op.key} → ${answer.status} ${answer.text.slice(0, 120)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  }, 120_000);

  it("answers another region's id named in a query or body as an id that does not exist", async () => {
    const leaks: string[] = [];
    for (const op of operations.filter((o) => o.namedIds.length > 0)) {
      const probe = PROBES[op.key];
      if (!probe?.named) continue;
      if (op.pathParams.length === 0) tally.operations += 1;
      for (const [field, kind] of Object.entries(probe.named)) {
        // Only this field names the other region; everything else in the request is ours.
        const theirs = { ...ours, [kind]: other[kind] };
        const nobody = { ...ours, [kind]: unknown[kind] };
        let path = op.path;
        for (const [name, pathKind] of Object.entries(probe.path ?? {})) {
          path = path.replace(`{${name}}`, encodeURIComponent(ours[pathKind]));
        }
        for (const actor of ACTORS) {
          const input = (ids: Ids) => ({ body: probe.body?.(ids), query: probe.query?.(ids) });
          const answer = await call(actor, op.method, path, input(theirs));
          const refused =
            answer.status >= 400 && answer.status < 500 && !leakedIn(answer, [other[kind]]);
          if (kind === "region") {
            // Region codes are public: another region's is refused outright.
            if (!refused || ![403, 404].includes(answer.status))
              leaks.push(
                `${actor} ${op.key} ${field}=${other[kind]} → ${answer.status} ${answer.text.slice(0, 120)}`,
              );
            continue;
          }
          const baseline = await call(actor, op.method, path, input(nobody));
          const same =
            answer.status === baseline.status &&
            answer.code === baseline.code &&
            answer.message?.replace(other[kind], "ID") ===
              baseline.message?.replace(unknown[kind], "ID");
          if (!refused || !same) {
            leaks.push(
              `${actor} ${op.key} ${field}: theirs → ${answer.status} ${answer.code} / unknown → ${baseline.status} ${baseline.code}`,
            );
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  }, 120_000);

  it("shows none of another region's records in any list", async () => {
    const leaks: string[] = [];
    const lists = operations.filter(
      (o) => o.method === "GET" && o.pathParams.length === 0 && !o.path.endsWith("/events"),
    );
    expect(lists.length).toBeGreaterThan(5);
    for (const op of lists) {
      for (const actor of ACTORS) {
        const answer = await call(actor, op.method, op.path);
        const seen = (Object.keys(other) as IdKind[]).filter(
          (k) => k !== "region" && answer.text.includes(other[k]),
        );
        if (seen.length > 0) leaks.push(`${actor} ${op.key} shows ${seen.join(", ")}`);
      }
    }
    expect(leaks).toEqual([]);
  }, 120_000);

  it("the fixtures are real: an admin of every region reaches each of them", async () => {
    const seen = await call("iso-global", "GET", `/api/v1/conversations/${other.conversation}`);
    expect(seen.status).toBe(200);
    expect(
      (await call("iso-global", "GET", `/api/v1/messages/${other.message}/content`)).status,
    ).toBe(200);
    const audit = await call("iso-global", "GET", "/api/v1/audit", {
      query: { conversationId: other.conversation },
    });
    expect(audit.text).toContain(other.conversation);
    const stuck = await call("iso-global", "GET", "/api/v1/stuck-work");
    expect(stuck.text).toContain(other.stuckWork);
    const notifications = await call("iso-global", "GET", "/api/v1/oncall/notifications");
    expect(notifications.text).toContain(other.notification);
    const shifts = await call("iso-global", "GET", "/api/v1/oncall/shifts");
    expect(shifts.text).toContain(other.shift);
    const alerts = await call("iso-global", "GET", "/api/v1/alerts");
    expect(alerts.text).toContain(other.alert);
    const sessions = await call(
      "iso-global",
      "GET",
      `/api/v1/accounts/${other.counsellor}/sessions`,
    );
    expect(sessions.text).toContain(other.session);
    // The entries of the days around now (Tokyo): the other region's is listed to an admin of all.
    const tokyoDay = (days: number) =>
      new Date(Date.now() + 9 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
    const entries = await call("iso-global", "GET", "/api/v1/stats/entries", {
      query: { from: tokyoDay(-1), to: tokyoDay(1) },
    });
    expect(entries.text).toContain(other.entry);
    // Her pseudonym is found where the counsellor may see her conversations.
    const entry = await call("iso-counsellor", "POST", "/api/v1/stats/entries", {
      body: PROBES["POST /api/v1/stats/entries"]?.body?.(ours),
    });
    expect(entry).toMatchObject({ status: 201 });
    expect(JSON.parse(entry.text)).toMatchObject({ personKnown: true });
    // The case files: the other region's are whole to an admin of every region.
    const file = await call(
      "iso-global",
      "GET",
      `/api/v1/casefiles/case/${other.region}/${encodeURIComponent(other.caseRef)}`,
    );
    expect(file.status).toBe(200);
    const hers = await call(
      "iso-global",
      "GET",
      `/api/v1/casefiles/person/${encodeURIComponent(other.pseudonym)}`,
    );
    expect(hers.text).toContain(other.conversation);
  });
});
