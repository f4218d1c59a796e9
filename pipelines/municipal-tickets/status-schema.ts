import { z } from 'zod';
import { parseTimestamp } from '../../src/core/timestamps.js';

const timestamp = z.union([z.string(), z.number()]).refine((v) => parseTimestamp(v) !== null, {
  message: 'not a valid timestamp',
  params: { sluice: 'bad_timestamp' },
});

/**
 * A `tickets.status` message: a later event in a ticket's life. Unknown fields are dropped.
 *
 * @example
 * StatusInput.safeParse({ ticket_id: 'TKT-2026-000001', status: 'escalated', updated_at: '2026-11-01T09:00:00Z' })
 */
export const StatusInput = z.object({
  ticket_id: z.string().min(1),
  status: z.enum(['in_progress', 'escalated', 'resolved']),
  updated_at: timestamp,
  /** Minutes from submission to resolution; on `resolved` only. */
  response_minutes: z.number().min(0).max(10_000_000).nullish(),
});

export type StatusInput = z.infer<typeof StatusInput>;

/** A parsed status update as it travels through the pipeline (times as epoch ms). */
export interface StatusUpdate {
  readonly record_type: 'status_update';
  readonly ticket_id: string;
  readonly status: StatusInput['status'];
  readonly updated_at: number;
  readonly response_minutes: number | null;
  readonly ingestion_timestamp: number;
  /** What the feature tiles made of it (set by the features step). */
  feature_verdict?: 'applied' | 'late' | 'unmatched';
}

/** True for status updates, false for tickets: the two kinds share steps 1–6. */
export function isStatusUpdate(value: unknown): value is StatusUpdate {
  return (value as { record_type?: unknown }).record_type === 'status_update';
}
