/**
 * The layering of src/, checked by `npm run lint` (see README "Layout"). From the top down:
 *   main/                       composition root and entry points
 *   console/ stats/ worker/ simulator/   transport: routes, pages, job handlers
 *   oncall/                     the on-call roster and notifications (its routes are mounted
 *                               by the console, its jobs handled by the worker)
 *   conversations/              the conversation lifecycle and what changes it
 *   line/                       LINE only: webhook ingress, event store, messenger, deliveries
 *   media/                      her files in our store (written by line/, removed on unsend by
 *                               conversations/, read by the console)
 *   http/ jobs/ audit/ privacy/ config/ text/ flows/ db/   shared kits, below every feature
 * A rule broken fails CI with its name; a type-only import counts like any other.
 */
const FEATURES = "(console|stats|conversations|oncall|line|simulator|worker|main)";

module.exports = {
  forbidden: [
    {
      name: "no-folder-cycles",
      comment: "Two folders never import each other, directly or through others.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-module-cycles",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "flows-are-pure",
      comment: "The flow engine, schema and validator do no I/O: no database, queue, LINE or HTTP.",
      severity: "error",
      from: { path: "^src/flows/" },
      to: {
        path: [
          `^src/${FEATURES}/`,
          "^src/(db|jobs|http|audit|config|privacy|text)/",
          "^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|tls)$",
          "node_modules/(pg|@prisma|prisma|bullmq|ioredis|express|@line|kuromoji)/",
        ],
      },
    },
    {
      name: "line-speaks-only-line",
      comment: "src/line/ knows LINE, not what the service does with her messages.",
      severity: "error",
      from: { path: "^src/line/" },
      to: {
        path: ["^src/(console|stats|conversations|oncall|simulator|main|http)/", "^src/worker/"],
      },
    },
    {
      name: "conversations-below-transport",
      comment: "The lifecycle is called by the console and the jobs, never the other way round.",
      severity: "error",
      from: { path: "^src/conversations/" },
      to: { path: ["^src/(console|stats|oncall|http|simulator|main)/", "^src/worker/"] },
    },
    {
      name: "oncall-below-transport",
      comment:
        "On-call is mounted by the console and run by the worker; it reads conversations, and reaches its receivers itself, never through LINE.",
      severity: "error",
      from: { path: "^src/oncall/" },
      to: { path: "^src/(console|stats|line|simulator|main|worker)/" },
    },
    {
      name: "stats-not-console",
      comment: "The console mounts the statistics; what both need lives in src/http/.",
      severity: "error",
      from: { path: "^src/stats/" },
      to: { path: "^src/(console|line|simulator|main)/" },
    },
    {
      name: "console-not-line",
      comment: "The console acts through src/conversations/; only the service sends to LINE.",
      severity: "error",
      from: { path: "^src/console/" },
      to: { path: "^src/(simulator|main|line)/" },
    },
    {
      name: "job-core-below-features",
      comment: "The job catalog, queue and dispatcher sit below every feature; handlers above.",
      severity: "error",
      from: { path: "^src/jobs/[^/]+$" },
      to: { path: [`^src/${FEATURES}/`, "^src/(http|audit)/", "^src/worker/"] },
    },
    {
      name: "media-below-features",
      comment: "Her stored files: written by LINE's copy, read by the console; it knows neither.",
      severity: "error",
      from: { path: "^src/media/" },
      to: { path: [`^src/${FEATURES}/`, "^src/(jobs|http)/"] },
    },
    {
      name: "kits-below-features",
      comment: "Shared kits (http, audit, privacy, config, db, errors) know no feature.",
      severity: "error",
      from: {
        path: "^src/(http|audit|privacy|config|db|text)/|^src/(errors|logger|metrics)\\.ts$",
      },
      to: { path: [`^src/${FEATURES}/`, "^src/jobs/"] },
    },
    {
      name: "simulator-stands-alone",
      comment: "The LINE simulator plays LINE's part: it knows nothing of the service's internals.",
      severity: "error",
      from: { path: "^src/simulator/" },
      to: { path: "^src/", pathNot: ["^src/simulator/", "^src/http/public-kit\\.ts$"] },
    },
    {
      name: "only-main-composes",
      comment: "Entry points build dependencies; nothing imports them.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/main/" },
      to: { path: "^src/main/" },
    },
  ],
  options: {
    exclude: { path: "^src/db/generated/" },
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
  },
};
