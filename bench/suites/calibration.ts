/**
 * The component figures the project's throughput targets were set with, measured again today:
 * JSON.parse, + two SHA-256, + regex DLP, + AFINN sentiment (one thread, lines already in memory),
 * and DuckDB's appender against batched INSERT … VALUES. The issue quoted them as measured "here";
 * the ratio to them says how fast this machine is today (it is shared, and varies by 10–20%).
 *
 * Each measurement runs in a child process (`runChild`), a fresh Node started on this same file
 * with `--child <kind>`, so one run's garbage and JIT state cannot affect the next.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, runChild } from '../measure.js';
import type { BenchSuite } from '../run.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const CHILD = './suites/calibration.ts';
// The slow path needs far fewer rows for a stable figure.
const INSERT_ROWS = 20_000;
const INSERT_BATCH = 1_000;

const CPU_LEVELS = ['parse', 'hash', 'dlp', 'sentiment'] as const;
type CpuLevel = (typeof CPU_LEVELS)[number];

interface Measure {
  readonly kind: CpuLevel | 'appender' | 'insert';
  readonly label: string;
  readonly issue: number;
  readonly unit: 'events/s' | 'rows/s';
}

const MEASURES: readonly Measure[] = [
  { kind: 'parse', label: '`JSON.parse` alone', issue: 578_000, unit: 'events/s' },
  { kind: 'hash', label: '+ two SHA-256 (citizen_id, phone)', issue: 276_000, unit: 'events/s' },
  { kind: 'dlp', label: '+ regex DLP of description (email, phone, card-like runs)', issue: 180_000, unit: 'events/s' },
  { kind: 'sentiment', label: '+ AFINN sentiment of description (`sentiment` package)', issue: 97_000, unit: 'events/s' },
  { kind: 'appender', label: 'DuckDB appender, 8 columns, file-backed', issue: 225_000, unit: 'rows/s' },
  { kind: 'insert', label: `DuckDB batched \`INSERT … VALUES\`, ${fmt(INSERT_BATCH)} rows per statement`, issue: 14_000, unit: 'rows/s' },
];

export const calibrationBenchmarks: BenchSuite = {
  name: 'calibration',
  async run({ quick }) {
    const count = quick ? 20_000 : 200_000;
    const repeats = quick ? 1 : 3;
    const file = join(tmpdir(), `sluice-bench-calibration-${count}.jsonl`);
    const { lines } = await runChild('./generate-input.ts', [file, String(count)]);
    const runs = new Map<Measure, number[]>(MEASURES.map((m) => [m, []]));
    for (let i = 0; i < repeats; i++) {
      for (const measure of MEASURES) {
        const result = await runChild(CHILD, ['--child', measure.kind, file]);
        runs.get(measure)?.push(result.perSec as number);
      }
      process.stderr.write(`  run ${i + 1}: ${MEASURES.map((m) => `${m.kind} ${fmt(runs.get(m)?.at(-1) ?? 0)}`).join(', ')}\n`);
    }
    rmSync(file, { force: true });
    const rows = MEASURES.map((m) => {
      const today = median(runs.get(m) ?? []);
      return `| ${m.label} | **${fmt(today)} ${m.unit}** | ${fmt(m.issue)} ${m.unit} | ${(today / m.issue).toFixed(2)} |`;
    });
    return [
      '## calibration: the components the targets were set with',
      '',
      "The issue that set the throughput targets (≥ 60,000 events/s for steps 1–5, ≥ 40,000 for steps 1–8) quoted these component figures as measured on this machine; here they are again, today. A ratio below 1 means the same work runs slower today than when the targets were set — the machine is shared, its speed varies by 10–20% between runs and between days, and its CPU model has changed between sessions. The issue's input and its DLP regex are not known, so the ratio is an indication, not a conversion factor.",
      '',
      `Each on one thread over ${fmt(lines as number)} generated municipal tickets (5% bad) read into memory first; the steps with "+" add to the one above. The DuckDB rows are the parsed tickets' ticket_id, citizen_id, submitted_at, ward, lat, lon, category and description, into a fresh DuckDB file (\`INSERT\`: the first ${fmt(Math.min(INSERT_ROWS, lines as number))}, values inlined as SQL literals). Median of ${repeats} run(s), each in a fresh process.`,
      '',
      '| measure | today | figure in the issue | ratio today / issue |',
      '|---|---|---|---|',
      ...rows,
      '',
      `Runs: ${MEASURES.map((m) => `${m.kind} ${(runs.get(m) ?? []).map(fmt).join(', ')}`).join('; ')}.`,
      '',
    ].join('\n');
  },
};

/**
 * Email, card-like runs of 13–16 digits, phone-like runs of 8–12 digits; no checksums. The email
 * part starts at a word boundary: without it, every position inside every word rescans the word.
 */
const DLP = /\b[\w.%+-]+@[\w.-]+\.[A-Za-z]{2,}\b|\b\d(?:[ -]?\d){12,15}\b|\+?\b\d(?:[ -]?\d){7,11}\b/g;

/** The part of the `sentiment` package's API used here (it ships no types). */
interface SentimentPackage {
  analyze(text: string): { comparative: number };
}

function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line.length > 0);
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Each level does the work of the ones before it; `sink` keeps every result in use. */
function runCpu(level: CpuLevel, path: string): void {
  const depth = CPU_LEVELS.indexOf(level);
  const Sentiment = createRequire(import.meta.url)('sentiment') as new () => SentimentPackage;
  const sentiment = new Sentiment();
  const lines = readLines(path);
  let sink = 0;
  const started = performance.now();
  for (const line of lines) {
    let ticket: Record<string, unknown>;
    try {
      ticket = JSON.parse(line);
    } catch {
      continue;
    }
    sink++;
    if (depth < 1 || typeof ticket !== 'object' || ticket === null) continue;
    if (typeof ticket.citizen_id === 'string' && ticket.citizen_id !== '') sink += sha256(ticket.citizen_id).length;
    if (typeof ticket.phone === 'string' && ticket.phone !== '') sink += sha256(ticket.phone).length;
    const description = ticket.description;
    if (depth < 2 || typeof description !== 'string') continue;
    sink += [...description.matchAll(DLP)].length;
    if (depth < 3) continue;
    sink += sentiment.analyze(description).comparative;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ events: lines.length, seconds, perSec: lines.length / seconds, sink })}\n`);
}

type Row = readonly [string | null, string | null, string | null, string | null, number | null, number | null, string | null, string | null];

/** The parsed tickets as rows, repeated to one per line so every run appends as many as there are lines. */
function ticketRows(path: string): Row[] {
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const lines = readLines(path);
  const parsed: Row[] = [];
  for (const line of lines) {
    try {
      const t = JSON.parse(line);
      const location = typeof t?.location === 'object' && t.location !== null ? t.location : {};
      parsed.push([text(t?.ticket_id), text(t?.citizen_id), text(t?.submitted_at), text(location.ward), num(location.lat), num(location.lon), text(t?.category), text(t?.description)]);
    } catch {}
  }
  return lines.map((_, i) => parsed[i % parsed.length] as Row);
}

async function runDuckDb(kind: 'appender' | 'insert', path: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const rows = ticketRows(path);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-calibration-'));
  const instance = await DuckDBInstance.create(join(dir, 'bench.duckdb'));
  const db = await instance.connect();
  await db.run(
    'CREATE TABLE tickets (ticket_id VARCHAR, citizen_id VARCHAR, submitted_at VARCHAR, ward VARCHAR, lat DOUBLE, lon DOUBLE, category VARCHAR, description VARCHAR)',
  );
  let written = 0;
  const started = performance.now();
  if (kind === 'appender') {
    const appender = await db.createAppender('tickets');
    for (const row of rows) {
      for (const value of row) {
        if (value === null) appender.appendNull();
        else if (typeof value === 'number') appender.appendDouble(value);
        else appender.appendVarchar(value);
      }
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
    written = rows.length;
  } else {
    const literal = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);
    const some = rows.slice(0, INSERT_ROWS);
    for (let i = 0; i < some.length; i += INSERT_BATCH) {
      const values = some.slice(i, i + INSERT_BATCH).map((row) => `(${row.map(literal).join(',')})`);
      await db.run(`INSERT INTO tickets VALUES ${values.join(',')}`);
    }
    written = some.length;
  }
  const seconds = (performance.now() - started) / 1000;
  db.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ rows: written, seconds, perSec: written / seconds })}\n`);
}

const isChild = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === '--child';
if (isChild) {
  const [kind, path] = process.argv.slice(3);
  if (path !== undefined && (CPU_LEVELS as readonly string[]).includes(kind ?? '')) runCpu(kind as CpuLevel, path);
  else if (path !== undefined && (kind === 'appender' || kind === 'insert')) await runDuckDb(kind, path);
  else throw new Error(`usage: calibration.ts --child parse|hash|dlp|sentiment|appender|insert PATH (got ${process.argv.slice(2).join(' ')})`);
}
