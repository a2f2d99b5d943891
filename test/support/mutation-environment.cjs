/**
 * The test environment of `npm run test:mutation` only (jest.mutation.config.js). Stryker runs
 * jest again for every mutant in one process, and each run would load the Japanese dictionary
 * afresh for every test file that analyses text (seconds and hundreds of MB each time): most of
 * a mutant's cost. The dictionary is not mutated, so this environment loads kuromoji's tokenizer
 * once per process, outside the tests' sandbox, and hands it to each test file as
 * `globalThis.__kuromojiTokenizer`; `test/support/japanese-analyser.ts` uses it when present.
 * The code under test (our wrapper, the flows) is still loaded, mutated, for every run.
 */
const path = require("node:path");
const { TestEnvironment } = require("jest-environment-node");
const kuromoji = require("kuromoji");

/** @type {Promise<unknown> | undefined} */
let tokenizer;

function loadTokenizer() {
  const dicPath = path.join(path.dirname(require.resolve("kuromoji/package.json")), "dict");
  return new Promise((resolve, reject) => {
    kuromoji.builder({ dicPath }).build((error, built) => (error ? reject(error) : resolve(built)));
  });
}

class MutationEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    tokenizer ??= loadTokenizer();
    this.global.__kuromojiTokenizer = await tokenizer;
  }
}

module.exports = MutationEnvironment;
