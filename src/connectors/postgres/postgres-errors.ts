import { ConnectorUnavailableError, SluiceError } from '../../core/errors.js';

/**
 * A statement PostgreSQL refused (bad SQL, a constraint, a missing privilege). `sqlState` is
 * PostgreSQL's five-character error code, for callers that branch on it.
 *
 * @example
 * try { await warehouse.query('SELEC 1'); } catch (e) { if (e instanceof PostgresQueryError) console.error(e.sqlState); }
 */
export class PostgresQueryError extends SluiceError {
  readonly sqlState: string | undefined;
  constructor(message: string, sqlState: string | undefined) {
    super('WAREHOUSE_SQL_FAILED', message);
    this.name = 'PostgresQueryError';
    this.sqlState = sqlState;
  }
}

/** Socket errors and the SQLSTATEs of a server going away (admin shutdown, crash, starting up). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const CONNECTION_MESSAGES = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed|Connection closed/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the connection, not the statement, failed: worth a retry on a fresh connection. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  const code = codeOf(error);
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  return error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

/**
 * PostgreSQL's message without the data it may quote: "invalid input syntax for type integer:
 * "…"" names a value, and a value may be personal data. The DETAIL and WHERE fields (which quote
 * whole rows) are never used.
 */
export function safeMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message || error.name : String(error);
  return raw.replace(/: ".*"$/s, ': "…" (value withheld)');
}

/** Turns a driver error into a Sluice error saying what failed, where, and what to do. */
export function postgresError(error: unknown, doing: string, location: string): SluiceError {
  if (error instanceof SluiceError) return error;
  const message = safeMessage(error);
  if (isConnectionError(error)) {
    return new ConnectorUnavailableError(
      `PostgreSQL at ${location} is unreachable while ${doing} (${message}). Check that the server is running and the URL is right; ` +
        'a broken connection is replaced on the next attempt, and the runner retries the commit.',
      { cause: error },
    );
  }
  const sqlState = codeOf(error);
  // The driver error is not kept as `cause`: its `detail` quotes the offending row.
  return new PostgresQueryError(`PostgreSQL at ${location} refused ${doing}: ${message}${sqlState !== undefined ? ` (SQLSTATE ${sqlState})` : ''}`, sqlState);
}
