import type { Command } from 'commander';
import { municipalFeatureBackfill } from '../../../pipelines/municipal-tickets/features.js';
import { ConfigError, SluiceError } from '../../core/errors.js';
import type { OnlineStore } from '../../core/online-store.js';
import type { Warehouse } from '../../core/warehouse.js';
import { backfillSql, type FeatureBackfill } from '../../features/backfill-sql.js';
import { createFeatureServer, featureRecordJson } from '../../features/feature-server.js';
import { defaultOnlineUrl, openOnlineStore } from '../../features/open-online-store.js';
import { type GlobalOptions, warehouseUrl } from '../context.js';
import { openWarehouse } from '../connect.js';
import { parseCount } from '../parse-flags.js';
import { quoteIdent } from '../../connectors/duckdb/duckdb-types.js';

/** Pipelines whose features can be backfilled. A pipeline with features adds itself here. */
const FEATURE_BACKFILLS: readonly FeatureBackfill[] = [municipalFeatureBackfill];

/** The online store the global flags name: `--online`, else SLUICE_ONLINE, else the embedded one beside the warehouse. */
export function onlineUrl(global: GlobalOptions & { online?: string }): string {
  return global.online ?? process.env.SLUICE_ONLINE ?? defaultOnlineUrl(warehouseUrl(global));
}

function parseInstant(text: string, flag: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new ConfigError(`${flag} "${text}" is not a date or time: use e.g. 2026-11-01 or 2026-11-01T06:00:00Z`);
  return ms;
}

export interface BackfillResult {
  readonly table: string;
  readonly rows: number;
  /** Rows also in the streaming table, and how many of those differ in any feature or as-of time. */
  readonly compared: number;
  readonly differing: number;
}

/**
 * Writes point-in-time feature rows for history into `into` (replacing rows of the same range), and
 * compares them with what streaming wrote.
 *
 * @example
 * await backfillFeatures(warehouse, municipalFeatureBackfill, { into: 'ml_features_backfill', from: Date.UTC(2026, 10, 1) });
 */
export async function backfillFeatures(warehouse: Warehouse, backfill: FeatureBackfill, options: { into: string; from?: number; to?: number }): Promise<BackfillResult> {
  if (warehouse.execute === undefined) throw new ConfigError(`the ${warehouse.kind} warehouse cannot run statements; feature backfill needs DuckDB`);
  const range = { ...(options.from !== undefined ? { from: options.from } : {}), ...(options.to !== undefined ? { to: options.to } : {}) };
  const set = backfill.set;
  const rows = `SELECT * EXCLUDE (target_time, as_of), epoch_ms(as_of) AS features_as_of, now() AS computed_at FROM (${backfillSql(set, backfill.sources(range))})`;
  const into = quoteIdent(options.into);
  const time = quoteIdent(backfill.timeColumn);
  const where: string[] = [];
  if (options.from !== undefined) where.push(`${time} >= epoch_ms(CAST(${Math.trunc(options.from)} AS BIGINT))`);
  if (options.to !== undefined) where.push(`${time} < epoch_ms(CAST(${Math.trunc(options.to)} AS BIGINT))`);
  await warehouse.execute(
    `BEGIN TRANSACTION;
     CREATE TABLE IF NOT EXISTS ${into} AS SELECT * FROM (${rows}) LIMIT 0;
     DELETE FROM ${into}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''};
     INSERT INTO ${into} BY NAME ${rows};
     COMMIT;`,
  );
  const [count] = await warehouse.query(`SELECT count(*) AS n FROM ${into}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`);
  let compared = 0;
  let differing = 0;
  const streamed = await warehouse.query(`SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [backfill.streamingTable]);
  if (streamed.length > 0 && backfill.streamingTable !== options.into) {
    const differ = ['s.features_as_of IS DISTINCT FROM b.features_as_of', ...set.featureNames.map((f) => `s.${quoteIdent(f)} IS DISTINCT FROM b.${quoteIdent(f)}`)].join(' OR ');
    const [c] = await warehouse.query(
      `SELECT count(*) AS compared, count(*) FILTER (WHERE ${differ}) AS differing FROM ${quoteIdent(backfill.streamingTable)} s JOIN ${into} b ON b._id = s._id${
        where.length > 0 ? ` WHERE ${where.map((w) => `b.${w}`).join(' AND ')}` : ''
      }`,
    );
    compared = Number(c?.compared ?? 0);
    differing = Number(c?.differing ?? 0);
  }
  return { table: options.into, rows: Number(count?.n ?? 0), compared, differing };
}

async function withStore<T>(global: GlobalOptions & { online?: string }, readOnly: boolean, work: (store: OnlineStore) => Promise<T>): Promise<T> {
  const store = await openOnlineStore(onlineUrl(global), { readOnly });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export function registerFeatures(program: Command): void {
  const features = program
    .command('features')
    .description('online features: read them (get, serve) and recompute them for history (backfill)')
    .addHelpText(
      'after',
      `
The online store is --online (embedded:DIR or redis://HOST:PORT), by default the embedded store in
.sluice/online beside the --warehouse file.

Examples:
  $ sluice features get ward "Ward 150 - Bellandur"
  $ sluice features get ticket TKT-2026-000042 --online redis://127.0.0.1:6379
  $ sluice features backfill municipal-tickets --from 2026-11-01 --to 2026-11-08
  $ sluice features serve --port 8081 && curl localhost:8081/features/ward/Ward%20150%20-%20Bellandur`,
    );

  features
    .command('get')
    .description('print the features of one entity instance as JSON, each with its as-of time')
    .argument('<entity>', 'e.g. ticket or ward')
    .argument('<id>', 'e.g. TKT-2026-000042 or "Ward 150 - Bellandur"')
    .action(async (entity: string, id: string, _flags: unknown, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions & { online?: string };
      await withStore(global, true, async (store) => {
        const record = await store.get(entity, id);
        if (record === null) {
          throw new SluiceError('FEATURES_NOT_FOUND', `no features for ${entity} ${JSON.stringify(id)} in the ${store.kind} online store at ${store.location}`);
        }
        process.stdout.write(`${JSON.stringify(featureRecordJson(record), null, 2)}\n`);
      });
    });

  features
    .command('backfill')
    .description('recompute point-in-time feature rows for history with warehouse SQL, and compare them with the streamed ones')
    .argument('<pipeline>', `a pipeline with features: ${FEATURE_BACKFILLS.map((b) => b.pipeline).join(', ')}`)
    .option('--from <time>', 'first event time to backfill (inclusive), e.g. 2026-11-01')
    .option('--to <time>', 'end of the range (exclusive)')
    .option('--into <table>', 'table to write (rows of the range are replaced)', 'ml_features_backfill')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, flags: { from?: string; to?: string; into: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions;
      const backfill = FEATURE_BACKFILLS.find((b) => b.pipeline === name);
      if (backfill === undefined) throw new ConfigError(`pipeline "${name}" has no features to backfill; pipelines with features: ${FEATURE_BACKFILLS.map((b) => b.pipeline).join(', ')}`);
      if (flags.into === backfill.streamingTable) throw new ConfigError(`--into ${flags.into} would overwrite what streaming wrote; choose another table`);
      const warehouse = await openWarehouse(warehouseUrl(global));
      try {
        const started = Date.now();
        const result = await backfillFeatures(warehouse, backfill, {
          into: flags.into,
          ...(flags.from !== undefined ? { from: parseInstant(flags.from, '--from') } : {}),
          ...(flags.to !== undefined ? { to: parseInstant(flags.to, '--to') } : {}),
        });
        if (flags.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          process.stdout.write(
            `${result.rows.toLocaleString('en-US')} feature rows written to ${result.table} in ${((Date.now() - started) / 1000).toFixed(1)} s\n` +
              (result.compared > 0
                ? `compared with ${backfill.streamingTable}: ${result.compared.toLocaleString('en-US')} rows, ${result.differing.toLocaleString('en-US')} differ${result.differing === 0 ? ' (streaming and backfill agree)' : ''}\n`
                : ''),
          );
        }
      } finally {
        await warehouse.close();
      }
    });

  features
    .command('serve')
    .description('serve GET /features/<entity>/<id> (JSON, each value with its as-of time) over HTTP until Ctrl-C')
    .option('--port <port>', 'port to listen on', parseCount, 8081)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (flags: { port: number; host: string }, command: Command) => {
      const global = command.optsWithGlobals() as GlobalOptions & { online?: string };
      await withStore(global, true, async (store) => {
        const server = createFeatureServer(store);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(flags.port, flags.host, () => resolve());
        });
        process.stderr.write(`serving features from the ${store.kind} store at ${store.location} on http://${flags.host}:${flags.port}/features/<entity>/<id> (Ctrl-C stops)\n`);
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            server.close(() => resolve());
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      });
    });
}

/**
 * For `sluice demo`: the latest scored ticket and its ward, read back from the online store the
 * run wrote (beside the warehouse), as `sluice features get` would print them.
 */
export async function featureLookupSection(warehouse: Warehouse): Promise<string> {
  const [latest] = await warehouse.query('SELECT ticket_id, ward FROM ml_features ORDER BY submitted_at DESC, ticket_id LIMIT 1');
  if (latest === undefined) return '';
  const store = await openOnlineStore(defaultOnlineUrl(warehouse.location), { readOnly: true });
  try {
    const lines = ['feature lookup (online store)'];
    for (const [entity, id] of [
      ['ticket', String(latest.ticket_id)],
      ['ward', String(latest.ward)],
    ] as const) {
      const started = process.hrtime.bigint();
      const record = await store.get(entity, id);
      const micros = Number(process.hrtime.bigint() - started) / 1000;
      lines.push('', `$ sluice features get ${entity} ${JSON.stringify(id)}   (${micros.toFixed(0)} µs)`, record === null ? '(nothing stored)' : JSON.stringify(featureRecordJson(record), null, 2));
    }
    return lines.join('\n');
  } finally {
    await store.close();
  }
}
