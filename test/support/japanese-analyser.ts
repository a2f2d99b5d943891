/**
 * The real Japanese analyser for tests, loaded once per test file (it takes a second or two and
 * a few hundred MB): call `useJapaneseAnalyser()` at the top of the file, use the function it
 * returns inside tests.
 */
import type { Analyse } from "../../src/flows/flow-types";
import type { IpadicFeatures, Tokenizer } from "kuromoji";
import {
  analyserOf,
  loadJapaneseAnalyser,
  type JapaneseAnalyser,
} from "../../src/text/japanese-analyser";

let loading: Promise<JapaneseAnalyser> | undefined;

/** Under `npm run test:mutation`, the tokenizer its environment loaded once per process. */
const prebuilt = (globalThis as { __kuromojiTokenizer?: Tokenizer<IpadicFeatures> })
  .__kuromojiTokenizer;

function load(): Promise<JapaneseAnalyser> {
  return prebuilt ? Promise.resolve(analyserOf(prebuilt)) : loadJapaneseAnalyser();
}
let loaded: JapaneseAnalyser | undefined;

/** Loads the analyser in a beforeAll (once per file, even when called twice). */
export function useJapaneseAnalyser(): Analyse {
  beforeAll(async () => {
    loading ??= load();
    loaded = await loading;
  }, 60_000);
  return analyse;
}

/** The analyser loaded by `useJapaneseAnalyser()`; throws when the file did not ask for it. */
export function analyse(text: string): ReturnType<Analyse> {
  if (!loaded) throw new Error("call useJapaneseAnalyser() at the top of this test file");
  return loaded.analyse(text);
}

/** For harnesses that start the service: the analyser once per test file, loaded on first use. */
export function sharedJapaneseAnalyser(): Promise<JapaneseAnalyser> {
  loading ??= load();
  return loading;
}
