/**
 * The Japanese morphological analyser (kuromoji with the IPADIC dictionary shipped in its npm
 * package, read from disk: no network). Loading costs seconds and hundreds of MB, so the worker
 * loads it once per process, before it takes jobs, and hands `analyse` to the flow engine.
 */
import path from "node:path";
import { builder, type IpadicFeatures, type Tokenizer } from "kuromoji";
import type { Analyse, Morpheme } from "../flows/flow-types";

export interface JapaneseAnalyser {
  analyse: Analyse;
  /** How long loading the dictionary took, for the start-up log. */
  loadMs: number;
}

function dictionaryDir(): string {
  return path.join(path.dirname(require.resolve("kuromoji/package.json")), "dict");
}

function toMorpheme(f: IpadicFeatures): Morpheme {
  return { surface: f.surface_form, base: f.basic_form, pos: f.pos, posDetail: f.pos_detail_1 };
}

/** The analyser over a kuromoji tokenizer already built (with the IPADIC dictionary). */
export function analyserOf(tokenizer: Tokenizer<IpadicFeatures>, loadMs = 0): JapaneseAnalyser {
  return { analyse: (text) => Array.from(tokenizer.tokenize(text), toMorpheme), loadMs };
}

export function loadJapaneseAnalyser(): Promise<JapaneseAnalyser> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    builder({ dicPath: dictionaryDir() }).build(
      (error: Error | null, tokenizer: Tokenizer<IpadicFeatures>) => {
        if (error) return reject(error);
        resolve(analyserOf(tokenizer, Math.round(performance.now() - started)));
      },
    );
  });
}
