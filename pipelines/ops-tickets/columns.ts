/**
 * The day files' columns, in file order. Every file starts with exactly this header; timestamps are
 * `YYYY-MM-DD HH:MM:SS` in the service desk's local time, and a day file holds the tickets created
 * on that local day, each with its whole lifecycle as exported (so resolution times may fall after
 * the file's date — the seed's layout).
 */
export const OPS_CSV_COLUMNS = [
  'ticket_id',
  'created_at',
  'first_response_at',
  'resolved_at',
  'closed_at',
  'status',
  'priority',
  'category',
  'channel',
  'customer_tier',
  'team',
  'agent_id',
  'sla_hours',
  'reopen_count',
  'subject',
] as const;

export type OpsCsvColumn = (typeof OPS_CSV_COLUMNS)[number];

/** One day-file row as text, keyed by column. */
export type OpsCsvRecord = Record<OpsCsvColumn, string>;

export const OPS_CSV_HEADER = OPS_CSV_COLUMNS.join(',');

/** Accepted priorities, most urgent first. Matching is case-insensitive; tables store these spellings. */
export const PRIORITIES = ['Critical', 'High', 'Medium', 'Low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** The name the ops tables, errors and state carry. */
export const OPS_PIPELINE = 'ops-tickets';

/** Quotes a CSV field when it needs it (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line (no newline) from fields in column order. */
export function csvLine(fields: readonly string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) out += (i === 0 ? '' : ',') + csvField(fields[i] as string);
  return out;
}
