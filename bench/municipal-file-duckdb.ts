/**
 * One measured run of municipal-tickets steps 1–5 from a JSONL file into a fresh DuckDB file.
 * `--mode sluice` runs the real pipeline through the batch runner (`--threads auto|N` step threads,
 * as `sluice run` does); `--mode hand` does the same
 * steps as a plain loop with the same libraries and DuckDB's appender — the floor Sluice is
 * measured against. Prints one JSON line: {events, seconds, eventsPerSec, peakRssMb}.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { municipalIngestDefinition } from '../pipelines/municipal-tickets/definition.js';
import { TicketInput } from '../pipelines/municipal-tickets/ticket-schema.js';
import { DuckDbWarehouse } from '../src/connectors/duckdb/duckdb-warehouse.js';
import { JsonLinesSource } from '../src/connectors/files/jsonl-source.js';
import { LineReader } from '../src/connectors/files/line-reader.js';
import { openInput } from '../src/connectors/files/open-input.js';
import { dlpScan, maskFindings } from '../src/privacy/dlp.js';
import { createPiiHasher } from '../src/privacy/hash-pii.js';
import { cleanText } from '../src/text/clean-text.js';
import { sentimentScore } from '../src/text/sentiment.js';
import { runBatch } from '../src/runtime/runner.js';
import { peakRssMb } from './measure.js';

const args = new Map(process.argv.slice(2).map((a, i, all) => [a, all[i + 1] ?? '']));
const input = args.get('--input') ?? '';
const mode = args.get('--mode') ?? 'sluice';
const threads = args.has('--threads') ? Number(args.get('--threads')) : ('auto' as const);
const dbPath = join(tmpdir(), `sluice-bench-${process.pid}.duckdb`);
const hasher = createPiiHasher({ mode: 'hmac-sha256', key: 'bench-key' });

async function runSluice(): Promise<number> {
  const warehouse = new DuckDbWarehouse({ path: dbPath });
  await warehouse.open();
  const env = { SLUICE_PII_KEY: 'bench-key' };
  const pipeline = municipalIngestDefinition.build({ hash: hasher.hash, env });
  const recipe = { module: new URL('../pipelines/municipal-tickets/definition.js', import.meta.url).href, exportName: 'municipalIngestDefinition', env };
  const result = await runBatch(pipeline, { source: new JsonLinesSource(input), warehouse, threads: { count: threads, recipe } });
  await warehouse.close();
  return result.accounting.received;
}

async function runHand(): Promise<number> {
  const instance = await DuckDBInstance.create(dbPath);
  const db = await instance.connect();
  await db.run(`CREATE TABLE raw_tickets (ticket_id VARCHAR, citizen_id_hash VARCHAR, phone_hash VARCHAR, submitted_at DOUBLE, ward VARCHAR, pincode VARCHAR, lat DOUBLE, lon DOUBLE,
    category VARCHAR, subcategory VARCHAR, description VARCHAR, photos VARCHAR, language VARCHAR, channel VARCHAR, ingestion_timestamp DOUBLE, dlp_scanned BOOLEAN, dlp_findings VARCHAR)`);
  await db.run(`CREATE TABLE cleansed_tickets (ticket_id VARCHAR, citizen_id_hash VARCHAR, submitted_at DOUBLE, ward VARCHAR, pincode VARCHAR, lat DOUBLE, lon DOUBLE, category VARCHAR,
    subcategory VARCHAR, description_clean VARCHAR, photo_count INTEGER, language VARCHAR, channel VARCHAR, sentiment_score DOUBLE)`);
  const reader = new LineReader(openInput(input).stream);
  let events = 0;
  const s = (a: { appendVarchar(v: string): void; appendNull(): void }, v: string | null | undefined): void => (v === null || v === undefined ? a.appendNull() : a.appendVarchar(v));
  const d = (a: { appendDouble(v: number): void; appendNull(): void }, v: number | null | undefined): void => (v === null || v === undefined ? a.appendNull() : a.appendDouble(v));
  for (;;) {
    const lines = await reader.read(50_000);
    if (lines.length === 0) break;
    events += lines.length;
    const raw = await db.createAppender('raw_tickets');
    const clean = await db.createAppender('cleansed_tickets');
    const now = Date.now();
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      const parsed = TicketInput.safeParse(value);
      if (!parsed.success) continue;
      const t = parsed.data;
      const submittedAt = typeof t.submitted_at === 'number' ? t.submitted_at : Date.parse(t.submitted_at);
      const citizenHash = t.citizen_id ? hasher.hash(t.citizen_id) : null;
      const phoneHash = t.phone ? hasher.hash(t.phone) : null;
      const findings = dlpScan(t.description);
      const description = findings.length > 0 ? maskFindings(t.description, findings) : t.description;
      s(raw, t.ticket_id); s(raw, citizenHash); s(raw, phoneHash); d(raw, submittedAt); s(raw, t.location.ward); s(raw, t.location.pincode);
      d(raw, t.location.lat); d(raw, t.location.lon); s(raw, t.category); s(raw, t.subcategory); s(raw, description); s(raw, JSON.stringify(t.photos ?? []));
      s(raw, t.language); s(raw, t.channel); d(raw, now); raw.appendBoolean(true); s(raw, JSON.stringify(findings.map((f) => f.type)));
      raw.endRow();
      const text = cleanText(description);
      s(clean, t.ticket_id); s(clean, citizenHash); d(clean, submittedAt); s(clean, t.location.ward); s(clean, t.location.pincode); d(clean, t.location.lat);
      d(clean, t.location.lon); s(clean, t.category); s(clean, t.subcategory); s(clean, text); clean.appendInteger((t.photos ?? []).length);
      s(clean, t.language ?? 'en'); s(clean, t.channel); clean.appendDouble(sentimentScore(text));
      clean.endRow();
    }
    raw.flushSync();
    raw.closeSync();
    clean.flushSync();
    clean.closeSync();
  }
  db.closeSync();
  instance.closeSync();
  return events;
}

const started = performance.now();
const events = mode === 'hand' ? await runHand() : await runSluice();
const seconds = (performance.now() - started) / 1000;
rmSync(dbPath, { force: true });
rmSync(`${dbPath}.wal`, { force: true });
process.stdout.write(`${JSON.stringify({ events, seconds, eventsPerSec: events / seconds, peakRssMb: peakRssMb() })}\n`);
