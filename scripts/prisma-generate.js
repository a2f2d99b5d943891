// Generates the Prisma client after install. Prisma 7 needs no engine at run time, but its CLI
// wants PRISMA_SCHEMA_ENGINE_BINARY to name an existing file even for `generate`, which does not
// use it; we point it at node itself when nothing else is set, so an offline install works.
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
const cli = path.join(__dirname, "..", "node_modules", "prisma", "build", "index.js");
execFileSync(process.execPath, [cli, "generate"], { stdio: "inherit", env });
