import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { parseDuration, parseWindowSpec, parseWindowsToolOptions, runWindowsTool, WindowOptionError } from './windows-tool.js';

/** Runs the tool over steps (objects are JSON-encoded, strings passed as they are) and parses its output lines. */
async function run(flags: Readonly<Record<string, unknown>>, steps: readonly unknown[]): Promise<unknown[]> {
  const out: string[] = [];
  await runWindowsTool(
    steps.map((s) => (typeof s === 'string' ? s : JSON.stringify(s))),
    parseWindowsToolOptions(flags),
    (line) => out.push(line),
  );
  return out.map((line) => JSON.parse(line) as unknown);
}

describe('parseWindowsToolOptions', () => {
  it('applies the defaults', () => {
    assert.deepEqual(parseWindowsToolOptions({ window: 'fixed:10s' }), {
      window: { kind: 'fixed', size: 10_000, offset: 0 },
      lateCount: 1,
      lateness: 0,
      mode: 'accumulating',
      agg: 'collect',
    });
  });

  it('reads every flag, camelCase or kebab-case, strings or numbers', () => {
    const options = parseWindowsToolOptions({
      window: 'sliding:1m,30s',
      'early-count': '5',
      earlyEvery: '2s',
      lateCount: 3,
      lateness: '1h',
      mode: 'discarding',
      agg: 'sum',
    });
    assert.deepEqual(options, {
      window: { kind: 'sliding', size: 60_000, period: 30_000, offset: 0 },
      earlyCount: 5,
      earlyEvery: 2_000,
      lateCount: 3,
      lateness: 3_600_000,
      mode: 'discarding',
      agg: 'sum',
    });
    assert.ok(Object.isFrozen(options));
    assert.deepEqual(parseWindowSpec('fixed:10,2'), { kind: 'fixed', size: 10, offset: 2 });
    assert.deepEqual(parseWindowSpec('session:30m'), { kind: 'session', gap: 1_800_000 });
    assert.deepEqual(parseWindowSpec('sessions:5'), { kind: 'session', gap: 5 });
  });

  it('throws a typed error naming the flag on bad input', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{}, /^--window: missing/],
      [{ window: 'tumbling:10s' }, /^--window: "tumbling:10s" is not a window/],
      [{ window: 'fixed:ten' }, /^--window: "ten" is not a valid duration/],
      [{ window: 'fixed:10,10' }, /^--window: fixed window offset must be an integer in \[0, 10\)/],
      [{ window: 'sliding:10' }, /^--window: "sliding:10" has 1 argument/],
      [{ window: 'sliding:10,20' }, /^--window: sliding window period 20 is larger than its size 10/],
      [{ window: 'session:0' }, /^--window: session gap must be a positive integer/],
      [{ window: 'fixed:1.5s' }, /^--window: "1.5s" is not a valid duration/],
      [{ window: 'fixed:10', earlyCount: '0' }, /^--early-count: "0" is not a positive integer/],
      [{ window: 'fixed:10', lateCount: 'many' }, /^--late-count/],
      [{ window: 'fixed:10', earlyEvery: '0' }, /^--early-every: must be a positive duration/],
      [{ window: 'fixed:10', lateness: '-5' }, /^--lateness: "-5" is not a valid duration/],
      [{ window: 'fixed:10', mode: 'both' }, /^--mode: "both" is not one of accumulating, discarding/],
      [{ window: 'fixed:10', agg: 'avg' }, /^--agg: "avg" is not one of collect, count, sum/],
    ];
    for (const [flags, message] of bad) {
      assert.throws(
        () => parseWindowsToolOptions(flags),
        (e: unknown) => e instanceof WindowOptionError && e instanceof ConfigError && message.test(e.message),
        JSON.stringify(flags),
      );
    }
  });

  it('exports parseDuration', () => {
    assert.equal(parseDuration('2m'), 120_000);
  });
});

describe('runWindowsTool', () => {
  it('emits ON_TIME panes at the watermark and flushes the rest at end of input', async () => {
    const out = await run({ window: 'fixed:10s' }, [
      { key: 'k', ts: 1000, value: 'a' },
      { key: 'k', ts: 2000, value: 'b' },
      { key: 'k', ts: 12000, value: 'c' },
      { watermark: 10000 },
    ]);
    assert.deepEqual(out, [
      { key: 'k', start: 0, end: 10000, timing: 'ON_TIME', values: ['a', 'b'] },
      { key: 'k', start: 10000, end: 20000, timing: 'ON_TIME', values: ['c'] },
    ]);
  });

  it('an element without a key has a key of its own (distinct from ""), printed as null', async () => {
    const out = await run({ window: 'fixed:10' }, [
      { ts: 1, value: 'x' },
      { key: '', ts: 2, value: 'y' },
      { key: null, ts: 3, value: 'z' },
    ]);
    assert.deepEqual(out, [
      { key: null, start: 0, end: 10, timing: 'ON_TIME', values: ['x', 'z'] },
      { key: '', start: 0, end: 10, timing: 'ON_TIME', values: ['y'] },
    ]);
  });

  it('a bundle is added whole before triggers are evaluated', async () => {
    const one = await run({ window: 'fixed:10', earlyCount: 2 }, [
      [
        { key: 'k', ts: 1, value: 'a' },
        { key: 'k', ts: 2, value: 'b' },
        { key: 'k', ts: 3, value: 'c' },
      ],
      { watermark: 5 },
    ]);
    assert.deepEqual(one, [
      { key: 'k', start: 0, end: 10, timing: 'EARLY', values: ['a', 'b', 'c'] },
      { key: 'k', start: 0, end: 10, timing: 'ON_TIME', values: ['a', 'b', 'c'] },
    ]);
  });

  it('count and sum aggregations print count / sum instead of values', async () => {
    const steps = [
      { key: 'k', ts: 1, value: 2 },
      { key: 'k', ts: 2, value: 3.5 },
    ];
    assert.deepEqual(await run({ window: 'fixed:10', agg: 'count' }, steps), [{ key: 'k', start: 0, end: 10, timing: 'ON_TIME', count: 2 }]);
    assert.deepEqual(await run({ window: 'fixed:10', agg: 'sum' }, steps), [{ key: 'k', start: 0, end: 10, timing: 'ON_TIME', sum: 5.5 }]);
    assert.deepEqual(await run({ window: 'fixed:10', agg: 'count' }, [{ key: 'k', ts: 1 }]), [{ key: 'k', start: 0, end: 10, timing: 'ON_TIME', count: 1 }]);
  });

  it('reports an element later than the allowed lateness as dropped, with the element as given', async () => {
    const out = await run({ window: 'fixed:10', lateness: '5' }, [
      { key: 'k', ts: 1, value: 'a' },
      { watermark: 14 },
      { key: 'k', ts: 2, value: 'late but in time', extra: true },
      { watermark: 15 },
      { key: 'k', ts: 3, value: 'too late', extra: [1] },
    ]);
    assert.deepEqual(out, [
      { key: 'k', start: 0, end: 10, timing: 'ON_TIME', values: ['a'] },
      { key: 'k', start: 0, end: 10, timing: 'LATE', values: ['a', 'late but in time'] },
      { dropped: { key: 'k', ts: 3, value: 'too late', extra: [1] }, reason: 'late_event' },
    ]);
  });

  it('processing time drives --early-every (processing time starts at 0)', async () => {
    const out = await run({ window: 'fixed:1m', earlyEvery: '10s', mode: 'discarding' }, [
      { key: 'k', ts: 1000, value: 'a' },
      { processing_time: 9999 },
      { key: 'k', ts: 2000, value: 'b' },
      { processing_time: '10s' },
      { key: 'k', ts: 3000, value: 'c' },
      { processing_time: 19999 },
      { processing_time: 20000 },
    ]);
    assert.deepEqual(out, [
      { key: 'k', start: 0, end: 60000, timing: 'EARLY', values: ['a', 'b'] },
      { key: 'k', start: 0, end: 60000, timing: 'EARLY', values: ['c'] },
      { key: 'k', start: 0, end: 60000, timing: 'ON_TIME', values: [] },
    ]);
  });

  it('orders panes of one step by window end, then start, then key', async () => {
    const out = (await run({ window: 'sliding:20,10', agg: 'count' }, [
      [
        { key: 'b', ts: 12 },
        { key: 'a', ts: 12 },
        { key: 'c', ts: 3 },
      ],
    ])) as { key: string; start: number }[];
    assert.deepEqual(
      out.map((p) => `${p.start}:${p.key}`),
      ['-10:c', '0:a', '0:b', '0:c', '10:a', '10:b'],
    );
  });

  it('reports malformed lines with their line number and carries on', async () => {
    const out = await run({ window: 'fixed:10', agg: 'sum' }, [
      '{"key":"k","ts":1,"value":1}',
      '{not json',
      '',
      '{"key":"k","value":1}',
      '{"key":"k","ts":1.5,"value":1}',
      '{"key":"k","ts":2,"value":"one"}',
      '{"key":7,"ts":2,"value":1}',
      '[{"key":"k","ts":2,"value":1},{"key":"k","ts":3}]',
      '42',
      '{"watermark":"soon"}',
      '{"watermark":5,"ts":3}',
      '{"key":"k","ts":"4ms","value":2}',
    ]);
    const errors = out.filter((o): o is { error: string; line: number } => typeof o === 'object' && o !== null && 'error' in o);
    assert.deepEqual(
      errors.map((e) => e.line),
      [2, 4, 5, 6, 7, 8, 9, 10, 11],
    );
    assert.match(errors[0]?.error ?? '', /^invalid JSON/);
    assert.match(errors[1]?.error ?? '', /no "ts"/);
    assert.match(errors[2]?.error ?? '', /"ts": 1.5 is not a valid time/);
    assert.match(errors[3]?.error ?? '', /must be a finite number with --agg sum/);
    assert.match(errors[4]?.error ?? '', /"key" must be a string/);
    assert.match(errors[5]?.error ?? '', /^bundle item 1: element has no "value"/);
    assert.match(errors[7]?.error ?? '', /"watermark": "soon" is not a valid time/);
    assert.deepEqual(out.at(-1), { key: 'k', start: 0, end: 10, timing: 'ON_TIME', sum: 3 }, 'the refused bundle added nothing');
  });

  it('ignores a watermark that goes back', async () => {
    const out = await run({ window: 'fixed:10' }, [{ watermark: 20 }, { watermark: 5 }, { key: 'k', ts: 8, value: 'x' }]);
    assert.deepEqual(out, [{ dropped: { key: 'k', ts: 8, value: 'x' }, reason: 'late_event' }]);
  });

  it('reads async input and returns a summary', async () => {
    async function* lines(): AsyncIterable<string> {
      yield '{"key":"k","ts":1,"value":"a"}';
      yield 'oops';
      yield '{"watermark":100}';
      yield '{"key":"k","ts":2,"value":"b"}';
    }
    const out: string[] = [];
    const summary = await runWindowsTool(lines(), parseWindowsToolOptions({ window: 'session:5' }), (l) => out.push(l));
    assert.deepEqual(summary, { lines: 4, elements: 1, panes: 1, dropped: 1, errors: 1 });
    assert.equal(out.length, 3);
  });
});
