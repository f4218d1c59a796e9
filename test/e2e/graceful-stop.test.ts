import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../src/connectors/duckdb/duckdb-warehouse.js';
import { LocalBus } from '../../src/connectors/local-bus/local-bus.js';
import { writeGeneratedTickets } from '../support/generated.js';
import { KnownValueScanner } from '../support/pii-scanner.js';
import { tempDir } from '../support/temp-dir.js';

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 15_000; i++) {
    if (condition()) return;
    await delay(2); // polling for a condition, not waiting for time to pass
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('sluice run stops cleanly', () => {
  it('on SIGTERM it commits what it has, acknowledges exactly that, and exits 0', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const generated = writeGeneratedTickets(dir, 3000, 'stop');
    const bus = new LocalBus({ dir: join(dir, 'bus') });
    await bus.open();
    await bus.publish('tickets.new', readFileSync(generated.path, 'utf8').trim().split('\n').map((payload, i) => ({ id: `m${i}`, payload })));
    await bus.close();
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--quiet', 'run', 'municipal-tickets', '--bus', `local:${join(dir, 'bus')}`, '--warehouse', join(dir, 'w.duckdb'), '--json'], {
      env: { ...process.env, SLUICE_PII_KEY: 'stop-key' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = exited(child);
    const position = join(dir, 'bus', 'topics', 'tickets.new', 'consumers', 'municipal-tickets.pos');
    const logSize = readFileSync(join(dir, 'bus', 'topics', 'tickets.new', 'log')).length;
    // Streaming runs forever; wait until it has caught up with the topic, then stop it.
    await until(() => existsSync(position) && Number(readFileSync(position, 'utf8')) === logSize, 'the consumer to catch up');
    child.kill('SIGTERM');
    const result = await done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /SIGTERM: draining/);
    const report = JSON.parse(result.stdout) as { stoppedBy: string; accounting: { received: number; balanced: boolean } };
    assert.equal(report.stoppedBy, 'signal');
    assert.equal(report.accounting.balanced, true);
    assert.equal(report.accounting.received, generated.lines.length, 'every message was received before the stop');
    const wh = new DuckDbWarehouse({ path: join(dir, 'w.duckdb') });
    await wh.open();
    const [row] = await wh.query('SELECT (SELECT count(*) FROM raw_tickets) + (SELECT count(*) FROM ticket_errors) AS stored');
    const tickets = new Set(generated.lines.filter((l) => l.kind !== 'bad').map((l) => l.key)).size;
    const bad = generated.lines.filter((l) => l.kind === 'bad').length;
    assert.equal(row?.stored, tickets + bad, 'everything acknowledged was committed');
    await wh.close();
  });
});

describe('two processes over the embedded bus', () => {
  it('`sluice publish` in one process and `sluice run` in another hand every event over', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const generated = writeGeneratedTickets(dir, 4000, 'handoff');
    const env = { ...process.env, SLUICE_PII_KEY: 'handoff-key' };
    const common = ['--quiet', '--bus', `local:${join(dir, 'bus')}`, '--warehouse', join(dir, 'w.duckdb')];
    const runner = spawn(process.execPath, ['--import', 'tsx', CLI, ...common, '--log-level', 'debug', 'run', 'municipal-tickets', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const runnerDone = exited(runner);
    const publisher = spawn(process.execPath, ['--import', 'tsx', CLI, ...common, 'publish', 'tickets.new', generated.path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const published = await exited(publisher);
    assert.equal(published.code, 0, published.stderr);
    const count = /: ([\d,]+) published, ([\d,]+) duplicates/.exec(published.stdout);
    assert.ok(count, published.stdout);
    const position = join(dir, 'bus', 'topics', 'tickets.new', 'consumers', 'municipal-tickets.pos');
    const log = join(dir, 'bus', 'topics', 'tickets.new', 'log');
    await until(() => existsSync(position) && Number(readFileSync(position, 'utf8')) === readFileSync(log).length, 'the runner to catch up');
    runner.kill('SIGINT');
    const result = await runnerDone;
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { accounting: { received: number } };
    assert.equal(report.accounting.received, Number(count[1]?.replace(/,/g, '')), 'everything published was received');
    const duplicates = generated.lines.filter((l) => l.kind === 'duplicate').length;
    assert.equal(Number(count[2]?.replace(/,/g, '')), duplicates, 'byte-identical duplicates are dropped by the bus');
    const scanner = new KnownValueScanner(generated.pii);
    assert.deepEqual(scanner.find(result.stdout + result.stderr + published.stdout + published.stderr), [], 'no PII in what the CLI printed');
  });
});
