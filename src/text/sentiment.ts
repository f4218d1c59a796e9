import { createRequire } from 'node:module';

/**
 * AFINN-165 sentiment, equal to the `sentiment` package's `comparative` score but about twice as
 * fast: the package runs three regex replaces and a split, builds word and calculation arrays, and
 * resolves the language and scoring strategy for every token; this makes one regex split of the
 * lower-cased text and looks tokens up in a Map built once from the package's own word list.
 */

const require = createRequire(import.meta.url);

function loadScores(path: string): Record<string, number> {
  const loaded: unknown = require(path);
  if (typeof loaded !== 'object' || loaded === null) throw new TypeError(`${path}: expected a word → score object`);
  return loaded as Record<string, number>;
}

/** Word → AFINN score, with the package's emoji scores merged over it exactly as the package does. */
const SCORES: ReadonlyMap<string, number> = (() => {
  const scores = new Map<string, number>();
  // The package's `language-processor` does Object.assign(labels, emoji): emoji win on a clash.
  for (const source of ['sentiment/languages/en/labels.json', 'sentiment/build/emoji.json']) {
    for (const [word, score] of Object.entries(loadScores(source))) {
      // Multi-word entries ("does not work") can never equal a single token in the package either.
      if (!word.includes(' ') && typeof score === 'number') scores.set(word, score);
    }
  }
  return scores;
})();

/**
 * Words that flip the sign of the next word's score. The package looks them up as
 * `negators[token]` on a plain object, so inherited property names that survive lower-casing
 * ("constructor", "__proto__") negate too; they are included so scores stay equal.
 */
const NEGATORS: ReadonlySet<string> = new Set([
  ...Object.keys(loadScores('sentiment/languages/en/negators.json')),
  ...Object.getOwnPropertyNames(Object.prototype).filter((name) => name === name.toLowerCase()),
]);

/**
 * What separates tokens in the package's tokenizer. The package lower-cases, turns
 * `.,/#!?$%^&*;:{}=_`"~()` and `\n` into spaces, collapses runs of two or more whitespace
 * characters into one space, trims, and splits on ' '. So after trimming, tokens are separated
 * by any run of two or more separator or whitespace characters, or by one space, newline or
 * separator; a lone tab (or other non-space whitespace) survives the collapsing and stays
 * inside its token.
 */
const TOKEN_GAP = /[\s.,/#!?$%^&*;:{}=_`"~()]{2,}|[ \n.,/#!?$%^&*;:{}=_`"~()]/;

/**
 * What {@link sentimentDetails} returns; `comparative` is the package's own measure.
 *
 * @example
 * const { score, tokens } = sentimentDetails('not good at all'); // score -3, tokens 4
 */
export interface SentimentDetails {
  /** Sum of the AFINN scores of the tokens, each negated after "not", "don't"… */
  readonly score: number;
  /** Tokens as the package counts them (at least 1). */
  readonly tokens: number;
  /** `score / tokens`, unclamped. */
  readonly comparative: number;
}

/**
 * Scores `text` exactly as `new Sentiment().analyze(text)` does (score, token count,
 * comparative), with the package's tokenizer reproduced by {@link TOKEN_GAP}.
 *
 * @example
 * sentimentDetails('The service was not good'); // { score: -3, tokens: 5, comparative: -0.6 }
 */
export function sentimentDetails(text: string): SentimentDetails {
  // trim + split measured faster than a global match over tokens (≈1.3 vs ≈2.1 µs per description).
  const parts = text.toLowerCase().trim().split(TOKEN_GAP);
  // Leading or trailing punctuation leaves an empty part at an end; the package trims it away.
  const first = parts[0] === '' ? 1 : 0;
  const last = parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
  let score = 0;
  for (let i = first; i < last; i++) {
    const value = SCORES.get(parts[i] as string);
    if (value !== undefined) score += i > first && NEGATORS.has(parts[i - 1] as string) ? -value : value;
  }
  // The package splits an empty text into one empty token.
  const tokens = Math.max(1, last - first);
  return { score, tokens, comparative: score / tokens };
}

/**
 * Sentiment in [-1, 1]: the `sentiment` package's AFINN-165 `comparative` score (sum of word
 * scores over the number of tokens), clamped to [-1, 1]. Only English words score, so text in
 * other languages is 0.
 *
 * @example
 * sentimentScore('The road is not good'); // -0.6 (good +3, negated by "not", over 5 tokens)
 * sentimentScore('Great work, thank you!'); // 1 (great 3 + thank 2 over 4 tokens is 1.25, clamped)
 */
export function sentimentScore(text: string): number {
  const { comparative } = sentimentDetails(text);
  return Math.min(1, Math.max(-1, comparative));
}
