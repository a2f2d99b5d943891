import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");
const DEPCRUISE = path.join(ROOT, "node_modules", ".bin", "depcruise");

/**
 * One import that breaks each rule of .dependency-cruiser.cjs, in a throwaway tree laid out
 * like src/. `npm run lint` runs the same rules on the real src/ (and passes); this proves each
 * rule would catch its break, by name.
 */
const BREAKS: Record<string, Record<string, string>> = {
  "no-folder-cycles": {
    "src/console/a.ts": 'import { b } from "../stats/b";\nexport const a = b;',
    "src/stats/b.ts": 'import { c } from "../console/c";\nexport const b = c;',
    "src/console/c.ts": "export const c = 1;",
  },
  "flows-are-pure": {
    "src/flows/engine.ts":
      'import { readFileSync } from "node:fs";\nexport const e = readFileSync;',
  },
  "line-speaks-only-line": {
    "src/line/processor.ts": 'import { s } from "../conversations/service";\nexport const p = s;',
    "src/conversations/service.ts": "export const s = 1;",
  },
  "conversations-below-transport": {
    "src/conversations/lifecycle.ts": 'import { r } from "../console/routes";\nexport const l = r;',
    "src/console/routes.ts": "export const r = 1;",
  },
  "stats-not-console": {
    "src/stats/routes.ts": 'import { x } from "../console/router";\nexport const s = x;',
    "src/console/router.ts": "export const x = 1;",
  },
  "oncall-below-transport": {
    "src/oncall/notifier.ts": 'import { m } from "../line/messenger";\nexport const n = m;',
    "src/line/messenger.ts": "export const m = 1;",
  },
  "job-core-below-features": {
    "src/jobs/catalog.ts": 'import { h } from "../worker/handlers";\nexport const c = h;',
    "src/worker/handlers.ts": "export const h = 1;",
  },
  "kits-below-features": {
    "src/http/router.ts": 'import { u } from "../console/user";\nexport const r = u;',
    "src/console/user.ts": "export const u = 1;",
  },
  "simulator-stands-alone": {
    "src/simulator/platform.ts": 'import { d } from "../db/client";\nexport const p = d;',
    "src/db/client.ts": "export const d = 1;",
  },
  "only-main-composes": {
    "src/console/module.ts": 'import { rt } from "../main/runtime";\nexport const m = rt;',
    "src/main/runtime.ts": "export const rt = 1;",
  },
};

function cruise(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), "layers-"));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: {} }));
    const config = path.join(ROOT, ".dependency-cruiser.cjs");
    return spawnSync(DEPCRUISE, ["src", "--config", config], { cwd: dir, encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the layering rules (dependency-cruiser, run by npm run lint)", () => {
  // Every break in one tree (their files do not overlap): one run of the checker.
  let broken: ReturnType<typeof cruise>;
  beforeAll(() => {
    broken = cruise(Object.assign({}, ...Object.values(BREAKS)) as Record<string, string>);
  });

  it("fails the check when a rule is broken", () => {
    expect(broken.status).not.toBe(0);
  });

  it.each(Object.keys(BREAKS))("names %s when it is broken on purpose", (rule) => {
    expect(broken.stdout).toContain(`error ${rule}:`);
  });

  it("passes a tree that follows them", () => {
    const result = cruise({
      "src/console/routes.ts": 'import { s } from "../conversations/service";\nexport const r = s;',
      "src/conversations/service.ts": 'import { o } from "../line/outbound";\nexport const s = o;',
      "src/line/outbound.ts": 'import { j } from "../jobs/dispatch";\nexport const o = j;',
      "src/jobs/dispatch.ts": "export const j = 1;",
    });
    expect(result.stdout).toContain("no dependency violations found");
    expect(result.status).toBe(0);
  });
});
