import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import type { EnvelopeMeta } from '../envelope.js';
import { Filtered, Rejection, type StepContext } from '../step.js';
import { parseTimestamp } from '../timestamps.js';
import { parseJson } from './parse-json.js';

function context(): StepContext & { id: string } {
  const ctx = {
    id: 'orig',
    envelope: { id: 'orig', attributes: {}, publishTime: 0, receivedAt: 0, source: 'test' } as EnvelopeMeta,
    now: 0,
    pipeline: 'p',
    reject: (type: string, message: string) => new Rejection(type, message),
    filter: (reason?: string) => new Filtered(reason ?? 'filtered'),
    setId(id: string) {
      ctx.id = id;
    },
  };
  return ctx;
}

const Schema = z.object({
  id: z.string(),
  n: z.number().min(0).max(10),
  at: z.string().refine((v) => parseTimestamp(v) !== null, { params: { sluice: 'bad_timestamp' } }),
  nested: z.object({ x: z.string() }),
});
const parse = parseJson(Schema, { idField: 'id' });
const good = { id: 'a', n: 1, at: '2026-01-01T00:00:00Z', nested: { x: 'y' } };

function run(payload: string): { result: unknown; id: string } {
  const ctx = context();
  return { result: parse(payload, ctx), id: ctx.id };
}

describe('parseJson', () => {
  it('returns the validated value and makes the natural key the envelope id', () => {
    const { result, id } = run(JSON.stringify({ ...good, extra: true }));
    assert.deepEqual(result, good, 'unknown fields dropped');
    assert.equal(id, 'a');
  });

  it('classifies failures by kind, naming the field but never quoting its value', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      ['{"id": "a", "n": ', 'invalid_json', /not valid JSON/],
      ['[1,2]', 'invalid_json', /not an object/],
      [{ ...good, id: undefined }, 'missing_field', /^id: required field is missing$/],
      [{ ...good, n: 'five' }, 'wrong_type', /^n: expected number, got string$/],
      [{ ...good, nested: 'flat' }, 'wrong_type', /^nested: expected object, got string$/],
      [{ ...good, nested: {} }, 'missing_field', /^nested\.x: required/],
      [{ ...good, n: 11 }, 'validation_failed', /^n: /],
      [{ ...good, at: '2026-02-30T00:00:00Z' }, 'bad_timestamp', /^at: not a valid timestamp$/],
    ];
    for (const [input, type, message] of cases) {
      const { result } = run(typeof input === 'string' ? input : JSON.stringify(input));
      assert.ok(result instanceof Rejection, JSON.stringify(input));
      assert.equal(result.errorType, type, JSON.stringify(input));
      assert.match(result.message, message);
    }
    const secret = run('{"id": "a", "secret": "CIT-12345678" oops}').result as Rejection;
    assert.doesNotMatch(secret.message, /CIT-/, 'V8 quotes the input in its message; we must not');
  });
});
