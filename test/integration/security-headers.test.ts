/**
 * What every response tells the browser (helmet, src/http/security-headers.ts) and who may read
 * /metrics: the console holds what DV survivors wrote.
 */
import { startConsoleOnClock, type ConsoleOnClock } from "../support/console-on-clock";

const TOKEN = "scrape-token-0123456789abcdef";

describe("security headers and the metrics token", () => {
  let consoleApp: ConsoleOnClock;

  beforeAll(async () => {
    // Behind a TLS proxy on this machine, with a metrics token.
    consoleApp = await startConsoleOnClock(() => Date.now(), {
      trustProxy: ["loopback"],
      metricsToken: TOKEN,
    });
  }, 60_000);
  afterAll(() => consoleApp.stop());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${consoleApp.url}${path}`, { headers });

  it("serves the console's pages with a strict policy: own scripts only, no framing, no referrer", async () => {
    for (const path of ["/console/", "/console/stats.html", "/api/v1/me"]) {
      const res = await get(path);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("asks for https only when the request came over https", async () => {
    expect((await get("/console/")).headers.get("strict-transport-security")).toBeNull();
    const overTls = await get("/console/", { "x-forwarded-proto": "https" });
    expect(overTls.headers.get("strict-transport-security")).toBe(
      "max-age=31536000; includeSubDomains",
    );
  });

  it("answers /metrics only to the bearer of the token", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Basic ${TOKEN}`]) {
      const res = await get("/metrics", authorization ? { authorization } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      expect(await res.json()).toMatchObject({ code: "METRICS_TOKEN_REQUIRED" });
    }
    const res = await get("/metrics", { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("process_cpu_user_seconds_total");
  });
});
