import { type Command, Option } from 'commander';
import { type GlobalOptions, warehouseUrl } from '../context.js';
import { openWarehouse } from '../connect.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders rows as an aligned text table, cutting long cells so a row fits on a line. */
export function renderTable(rows: ReadonlyArray<Record<string, unknown>>, maxWidth = 60): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0] as object);
  const text = rows.map((r) => columns.map((c) => {
    const s = cell(r[c]);
    return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
  }));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((s, i) => s.padEnd(widths[i] ?? 0)).join(' │ ').trimEnd();
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...text.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

function csvCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run SQL against the warehouse and print the result')
    .argument('<sql>', 'SQL in the warehouse dialect (DuckDB by default)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'jsonl', 'csv']).default('table'))
    .addHelpText(
      'after',
      `
Examples:
  $ sluice query "SELECT category, count(*) FROM cleansed_tickets GROUP BY 1 ORDER BY 2 DESC"
  $ sluice query "SELECT error_type, count(*) FROM ticket_errors GROUP BY 1" --format json
  $ sluice query --warehouse sluice-demo/sluice.duckdb "SHOW TABLES"`,
    )
    .action(async (sql: string, flags: { format: string }, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions;
      const warehouse = await openWarehouse(warehouseUrl(global));
      try {
        const rows = await warehouse.query(sql);
        if (flags.format === 'json') process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else if (flags.format === 'jsonl') process.stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
        else if (flags.format === 'csv') {
          const columns = rows.length > 0 ? Object.keys(rows[0] as object) : [];
          process.stdout.write(`${[columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`);
        } else process.stdout.write(`${renderTable(rows)}\n`);
      } finally {
        await warehouse.close();
      }
    });
}
