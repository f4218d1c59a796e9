import type { z } from 'zod';
import { ErrorTypes } from '../error-row.js';
import type { StepFn } from '../step.js';

export interface ParseJsonOptions {
  /**
   * A field whose value becomes the envelope id (the record's natural key), so the same record
   * sent twice — even with different message ids — is stored once.
   */
  readonly idField?: string;
}

/** Classifies the first schema issue into an error type users can group by. */
function classify(issue: z.core.$ZodIssue, input: unknown): { type: string; message: string } {
  const path = issue.path.map(String).join('.') || '(record)';
  if (issue.code === 'custom' && (issue as { params?: { sluice?: string } }).params?.sluice === 'bad_timestamp') {
    return { type: ErrorTypes.badTimestamp, message: `${path}: not a valid timestamp` };
  }
  let value: unknown = input;
  for (const key of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  // Whatever the schema says about a field (type, enum, union), an absent value is a missing field.
  if (issue.path.length > 0 && (value === undefined || value === null)) return { type: ErrorTypes.missingField, message: `${path}: required field is missing` };
  if (issue.code === 'invalid_type') {
    return { type: ErrorTypes.wrongType, message: `${path}: expected ${issue.expected}, got ${Array.isArray(value) ? 'array' : typeof value}` };
  }
  if (issue.code === 'invalid_union') return { type: ErrorTypes.wrongType, message: `${path}: ${issue.message}` };
  return { type: ErrorTypes.validation, message: `${path}: ${issue.message}` };
}

/**
 * Parses a JSON payload and validates it against a schema. Malformed JSON → `invalid_json`;
 * schema failures → `missing_field`, `wrong_type`, `bad_timestamp` or `validation_failed`, with a
 * message naming the field (never its value: values may be personal data).
 *
 * @example
 * pipeline({ name: 'claims', input: 'claims-ingest' }).step('parse', parseJson(Claim, { idField: 'claim_id' }))
 */
export function parseJson<S extends z.ZodType>(schema: S, options: ParseJsonOptions = {}): StepFn<string, z.infer<S>> {
  const idField = options.idField;
  return (payload, ctx) => {
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch (error) {
      // V8's message quotes the input; keep only the position.
      const where = /position (\d+)/.exec((error as Error).message)?.[1];
      return ctx.reject(ErrorTypes.invalidJson, `payload is not valid JSON${where !== undefined ? ` (at position ${where})` : ''}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return ctx.reject(ErrorTypes.invalidJson, `payload is JSON but not an object (got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`);
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const first = result.error.issues[0];
      const { type, message } = first === undefined ? { type: ErrorTypes.validation, message: 'invalid record' } : classify(first, value);
      const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more issue${result.error.issues.length > 2 ? 's' : ''})` : '';
      return ctx.reject(type, message + more);
    }
    if (idField !== undefined) {
      const id = (result.data as Record<string, unknown>)[idField];
      if (typeof id === 'string' || typeof id === 'number') ctx.setId(String(id));
    }
    return result.data;
  };
}
