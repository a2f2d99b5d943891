/**
 * The tests Stryker runs against each mutant (npm run test:mutation): the unit tests of the pure
 * core, which need no database, Redis or browser. The layering test is left out: it checks the
 * import graph, which no mutant changes. The environment loads the Japanese dictionary once per
 * process instead of once per test file and mutant (test/support/mutation-environment.cjs).
 */
const path = require("node:path");
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/test/unit"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/unit/layering/"],
  testEnvironment: path.join(__dirname, "test/support/mutation-environment.cjs"),
};
