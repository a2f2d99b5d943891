// First step of `npm run demo` and `npm test` on a fresh clone: install the locked
// dependencies when they are missing or older than package-lock.json. Plain Node, no deps.
const { execSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const marker = path.join(root, "node_modules", ".package-lock.json");
const lock = path.join(root, "package-lock.json");
const stale =
  !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync(lock).mtimeMs - 1000;
if (stale) {
  // `npm install`, not `npm ci`: npm here leaves other platforms' optional binaries (darwin,
  // win32…) out of the lock file and `npm ci` then refuses the lock as out of sync. With the
  // lock present, `npm install` installs exactly its versions.
  console.log("Installing dependencies (npm install from package-lock.json)…");
  execSync("npm install --no-audit --no-fund", { cwd: root, stdio: "inherit" });
}
