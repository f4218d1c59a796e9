import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { sentimentDetails, sentimentScore } from './sentiment.js';

/** The part of the `sentiment` package's API the equivalence tests use (it ships no types). */
interface SentimentPackage {
  analyze(text: string): { score: number; comparative: number; tokens: string[] };
}
const require = createRequire(import.meta.url);
const Sentiment = require('sentiment') as new () => SentimentPackage;
const reference = new Sentiment();

const CORPUS = [
  'Garbage has not been collected for two weeks near the market, the smell is terrible and stray dogs are everywhere. Please help!',
  'Street light near bus stop 14 is broken since Monday; area is unsafe at night. Kindly fix it as soon as possible, thanks.',
  'Water supply was restored quickly, thank you to the team for the great work. Very happy with the response.',
  'Large pothole on the main road causing accidents. Two bikes fell yesterday. This is dangerous and nobody is responding.',
  "I don't like this at all, it isn't good and the staff were rude 😡",
  'Excellent service!!! Love it ❤ 👍',
  'The drain is not working; it does not work since last week.',
  'La basura no ha sido recogida en dos semanas, el olor es terrible.',
  'मेरे घर के सामने सड़क पर बड़ा गड्ढा है',
  'good\tbad good\t\tbad not\tgood',
  'constructor good __proto__ bad',
  '',
  '   ',
  '...!!!',
  "GOOD. BAD. Not Good. Can't complain, cant stand it",
  'line one is fine\nline two is awful\r\nline three is ok',
  'a\u00a0good\u00a0\u00a0day İstanbul',
];

function randomTexts(count: number): string[] {
  const pieces = [
    'good',
    'bad',
    'not',
    "don't",
    'great',
    'terrible',
    'love',
    'hate',
    'x',
    ' ',
    '  ',
    '\t',
    '\n',
    '\r',
    '\u00a0',
    '.',
    ',',
    '!',
    '(',
    ')',
    '-',
    "'",
    '😂',
    '❤',
    'Constructor',
    'no',
    'fun',
    'happy',
  ];
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const texts: string[] = [];
  for (let k = 0; k < count; k++) {
    let text = '';
    const length = Math.floor(next() * 16);
    for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)];
    texts.push(text);
  }
  return texts;
}

describe('sentimentDetails', () => {
  it('equals the sentiment package (score, tokens, comparative) on a corpus of sentences', () => {
    for (const text of CORPUS) {
      const expected = reference.analyze(text);
      assert.deepEqual(
        sentimentDetails(text),
        { score: expected.score, tokens: expected.tokens.length, comparative: expected.comparative },
        JSON.stringify(text),
      );
    }
  });

  it('equals the sentiment package on 20 000 random mixes of words, punctuation and whitespace', () => {
    for (const text of randomTexts(20_000)) {
      const expected = reference.analyze(text);
      const actual = sentimentDetails(text);
      if (actual.score !== expected.score || actual.tokens !== expected.tokens.length) {
        assert.fail(`differs on ${JSON.stringify(text)}: ${JSON.stringify(actual)} vs score ${expected.score}, tokens ${expected.tokens.length}`);
      }
    }
  });

  it('negates the word after a negator', () => {
    assert.deepEqual(sentimentDetails('The service was not good'), { score: -3, tokens: 5, comparative: -0.6 });
  });
});

describe('sentimentScore', () => {
  it('is the package comparative clamped to [-1, 1]', () => {
    for (const text of CORPUS) {
      const comparative = reference.analyze(text).comparative;
      assert.equal(sentimentScore(text), Math.max(-1, Math.min(1, comparative)), JSON.stringify(text));
    }
    assert.equal(sentimentScore('Great work, thank you!'), 1);
    assert.equal(sentimentScore('terrible'), -1);
    assert.equal(sentimentScore(''), 0);
    assert.equal(sentimentScore('ಕಸ ಸಂಗ್ರಹಣೆ ಆಗಿಲ್ಲ'), 0);
  });
});
