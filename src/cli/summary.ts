import type { PipelineDefinition } from '../core/pipeline-definition.js';
import type { Warehouse } from '../core/warehouse.js';
import type { RunResult } from '../runtime/runner.js';

const n = (v: number): string => v.toLocaleString('en-US');

function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, (row[i] as string).length);
  }
  return rows
    .map((row) => indent + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/** The human summary printed after every run: the books, the tables, the errors, the speed. */
export async function formatRunSummary(definition: PipelineDefinition, result: RunResult, warehouse: Warehouse, tables: readonly string[]): Promise<string> {
  const a = result.accounting;
  const lines: string[] = [];
  lines.push(
    `${a.pipeline}: ${n(a.received)} received → ${n(a.written)} written + ${n(a.errored)} errored + ${n(a.filtered)} filtered ` +
      (a.balanced ? '(accounting balanced)' : '(ACCOUNTING DOES NOT BALANCE)'),
  );
  lines.push(
    `  ${(result.elapsedMs / 1000).toFixed(2)} s, ${n(Math.round(result.eventsPerSecond))} events/s, ingest-to-commit latency p50 ${Math.round(result.latency.p50Ms)} ms, p99 ${Math.round(result.latency.p99Ms)} ms` +
      ((result.threads ?? 0) > 0 ? `, stateless steps on ${result.threads} threads` : ''),
  );
  if (a.steps.length > 0) {
    lines.push('', 'steps');
    lines.push(table([['step', 'received', 'passed', 'errored', 'filtered'], ...a.steps.map((s) => [s.step, n(s.received), n(s.passed), n(s.errored), n(s.filtered)])]));
  }
  const tableRows: string[][] = [['table', 'rows now', 'new this run', 'already present']];
  for (const name of tables) {
    const counts = a.tables.find((t) => t.table === name);
    let total = '?';
    try {
      const [row] = await warehouse.query(`SELECT count(*) AS c FROM "${name}"`);
      total = n(Number(row?.c ?? 0));
    } catch {
      // The table may not exist when the run stopped before creating it.
    }
    tableRows.push([name, total, n(counts?.inserted ?? 0), n(counts?.duplicates ?? 0)]);
  }
  lines.push('', 'tables');
  lines.push(table(tableRows));
  if (a.topics.length > 0) {
    lines.push('', 'topics');
    lines.push(table([['topic', 'published', 'duplicates'], ...a.topics.map((t) => [t.topic, n(t.published), n(t.duplicates)])]));
  }
  const errorTypes = Object.entries(a.errorsByType);
  if (errorTypes.length > 0) {
    lines.push('', 'error rows by type (this run)');
    lines.push(table(errorTypes.map(([type, count]) => [type, n(count)])));
  }
  for (const extra of definition.summaryQueries ?? []) {
    try {
      const rows = await warehouse.query(extra.sql);
      if (rows.length === 0) continue;
      lines.push('', `${extra.title} (whole table)`);
      const body = rows.map((r) => Object.values(r).map((v) => (typeof v === 'number' ? n(Math.round(v * 1000) / 1000) : String(v))));
      // Two columns read as label → figure; wider results need their column names.
      const columns = Object.keys(rows[0] as object);
      lines.push(table(columns.length > 2 ? [columns, ...body] : body));
    } catch {
      // A summary figure is a nicety; a failing one must not hide the rest.
    }
  }
  return lines.join('\n');
}
