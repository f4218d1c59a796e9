import { ConfigError, DependencyUnavailableError, SluiceError, TableMissingError, TransientError } from '../../core/errors.js';

/** An error as it crosses a thread: its class name, stable code, message and own plain fields (a table name…). */
export interface ThreadError {
  readonly name: string;
  readonly code?: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** What a worker thread posts for an error it met. */
export function toThreadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'code' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) fields[key] = value;
  }
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), fields };
}

/** The error classes callers tell apart; any other comes back as a SluiceError. */
const KNOWN_ERRORS: Readonly<Record<string, { prototype: Error }>> = {
  SluiceError,
  ConfigError,
  TableMissingError,
  TransientError,
  DependencyUnavailableError,
};

/** A thread's error, rebuilt on this side with its class, code, message and fields. */
export function fromThreadError(error: ThreadError, fallbackCode: string): Error {
  const rebuilt = new SluiceError(error.code ?? fallbackCode, error.message);
  const known = KNOWN_ERRORS[error.name];
  if (known !== undefined) Object.setPrototypeOf(rebuilt, known.prototype);
  Object.assign(rebuilt, error.fields, { name: error.name });
  return rebuilt;
}
