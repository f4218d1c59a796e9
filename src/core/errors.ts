/**
 * Operator-facing failures (a server down, a bad flag, a missing table). Bad *records* are not
 * exceptions: they become error rows (see error-row.ts). Each class sets `name` and a stable
 * `code` callers can branch on, and keeps the underlying `cause`.
 */
export class SluiceError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SluiceError';
    this.code = code;
  }
}

/** A bad flag, URL or configuration value. The message says which and what to use instead. */
export class ConfigError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.name = 'ConfigError';
  }
}

/** A table the pipeline writes to does not exist and its create disposition is `never`. */
export class TableMissingError extends SluiceError {
  readonly table: string;
  constructor(table: string, where: string) {
    super(
      'TABLE_MISSING',
      `table "${table}" does not exist in ${where} and the pipeline's create disposition for it is "never". ` +
        `Create it first (sluice query "CREATE TABLE …"), or run with --create-tables if-needed.`,
    );
    this.name = 'TableMissingError';
    this.table = table;
  }
}

/**
 * A failure worth retrying: a sink or lookup that is unreachable or overloaded. Steps throw it to
 * ask for a retry with backoff; anything else thrown by a step is treated as permanent.
 */
export class TransientError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }, code = 'TRANSIENT') {
    super(code, message, options);
    this.name = 'TransientError';
  }
}

/**
 * A server a step depends on (an online store, a lookup service) cannot be reached. That is not the
 * record's fault, so the runner does not dead-letter the records: it waits for the server with
 * the sink retry policy and, if it stays away, stops the run with nothing of the chunk
 * acknowledged, so the records are delivered again on restart.
 */
export class DependencyUnavailableError extends TransientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options, 'DEPENDENCY_UNAVAILABLE');
    this.name = 'DependencyUnavailableError';
  }
}

/** A source, sink or bus could not be reached after every retry. */
export class ConnectorUnavailableError extends SluiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTOR_UNAVAILABLE', message, options);
    this.name = 'ConnectorUnavailableError';
  }
}

/** The accounting invariant (received = written + errored + filtered) does not hold. Always a bug. */
export class AccountingError extends SluiceError {
  constructor(message: string) {
    super('ACCOUNTING_MISMATCH', message);
    this.name = 'AccountingError';
  }
}

/** Describes any thrown value in one line, for logs and error rows. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
