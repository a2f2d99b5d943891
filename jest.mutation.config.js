/**
 * The tests Stryker runs against each mutant (npm run test:mutation): the unit tests of the pure
 * core, which need no database, Redis or browser. The layering test is left out: it checks the
 * import graph, which no mutant changes.
 */
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ["<rootDir>/test/unit"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/unit/layering/"],
};
