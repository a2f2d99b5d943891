/** Tests run on real PostgreSQL and real Redis, started by scripts/run-tests.ts (`npm test`). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
    // ES-module-only packages (otplib's base32 and hashes), compiled to CommonJS for jest.
    "/node_modules/(@scure/base|@noble/hashes)/.+\\.js$":
      "<rootDir>/scripts/jest-esm-transform.cjs",
  },
  transformIgnorePatterns: ["/node_modules/(?!.*/?(@scure/base|@noble/hashes)/)"],
  testTimeout: 30000,
  maxWorkers: 2,
  // A worker's heap grows with every suite it runs (each loads the service, and some the Japanese
  // dictionary, anew); past this after a suite, jest starts a fresh one instead of crashing.
  workerIdleMemoryLimit: "2GB",
};
