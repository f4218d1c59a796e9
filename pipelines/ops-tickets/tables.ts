import { errorTable } from '../../src/core/error-row.js';
import { type ColumnSpec, defineTable, type TableSpec } from '../../src/core/schema.js';
import { OPS_CSV_COLUMNS } from './columns.js';

/**
 * The ops-tickets tables. The SQL models in `sql/models.ts` fill them; the metric definitions are
 * in this folder's README.md. Every table carries `_id`, its key.
 */

/** Every row that could be split into the header's columns, as text, in file order. */
export const ticketsRaw = defineTable({
  name: 'tickets_raw',
  partitionBy: 'ops_date',
  description: 'The landing zone: each day file row as text (_id = ops_date:row_number)',
  columns: [
    { name: 'ops_date', type: 'date', nullable: false, description: 'the day file the row came from' },
    { name: 'row_number', type: 'integer', nullable: false, description: 'position among the file rows that parsed as CSV, from 1' },
    ...OPS_CSV_COLUMNS.map((name): ColumnSpec => ({ name, type: 'string' })),
  ],
});

/** One row per valid, first-seen ticket, typed and enriched. Append-only by day. */
export const factTickets = defineTable({
  name: 'fact_tickets',
  partitionBy: 'ops_date',
  description: 'Cleaned, typed tickets with lifecycle measures (_id = ticket_id)',
  columns: [
    { name: 'ticket_id', type: 'string', nullable: false },
    { name: 'ops_date', type: 'date', nullable: false, description: 'created date = the day file' },
    { name: 'created_at', type: 'timestamp', nullable: false },
    { name: 'first_response_at', type: 'timestamp' },
    { name: 'resolved_at', type: 'timestamp' },
    { name: 'closed_at', type: 'timestamp' },
    { name: 'status', type: 'string' },
    { name: 'priority', type: 'string', nullable: false },
    { name: 'category', type: 'string' },
    { name: 'channel', type: 'string' },
    { name: 'customer_tier', type: 'string' },
    { name: 'team', type: 'string' },
    { name: 'agent_id', type: 'string' },
    { name: 'sla_hours', type: 'double', nullable: false },
    { name: 'reopen_count', type: 'integer', nullable: false },
    { name: 'sla_due_at', type: 'timestamp', nullable: false },
    { name: 'sla_due_date', type: 'date', nullable: false },
    { name: 'first_response_date', type: 'date' },
    { name: 'first_response_seconds', type: 'bigint' },
    { name: 'resolved_date', type: 'date', description: 'day it left the backlog: resolved_at, else closed_at' },
    { name: 'closed_date', type: 'date' },
    { name: 'resolution_seconds', type: 'bigint', description: 'turnaround: created → resolved (or closed)' },
    { name: 'resolution_hours', type: 'double' },
    { name: 'is_resolved', type: 'boolean', nullable: false },
    { name: 'sla_breached', type: 'boolean', nullable: false, description: 'not resolved by sla_due_at (unresolved counts as breached)' },
    { name: 'created_hour', type: 'integer', nullable: false },
    { name: 'created_dow', type: 'integer', nullable: false, description: 'ISO day of week, 1 = Monday' },
    { name: 'is_weekend', type: 'boolean', nullable: false },
    { name: 'is_high_priority', type: 'boolean', nullable: false, description: 'Critical or High' },
  ],
});

export const featuresDaily = defineTable({
  name: 'features_daily',
  partitionBy: 'ops_date',
  description: 'Daily KPIs: volume, turnaround time, SLA breach % (_id = ops_date)',
  columns: [
    { name: 'ops_date', type: 'date', nullable: false },
    { name: 'tickets_created', type: 'integer', nullable: false },
    { name: 'critical_created', type: 'integer', nullable: false },
    { name: 'high_created', type: 'integer', nullable: false },
    { name: 'tickets_resolved', type: 'integer', nullable: false },
    { name: 'tickets_closed', type: 'integer', nullable: false },
    { name: 'reopened_resolved', type: 'integer', nullable: false },
    { name: 'first_responses', type: 'integer', nullable: false },
    { name: 'avg_first_response_minutes', type: 'double' },
    { name: 'avg_tat_hours', type: 'double' },
    { name: 'p50_tat_hours', type: 'double' },
    { name: 'p90_tat_hours', type: 'double' },
    { name: 'sla_due', type: 'integer', nullable: false },
    { name: 'sla_breached', type: 'integer', nullable: false },
    { name: 'sla_breach_pct', type: 'double' },
  ],
});

export const dailyAgentLoad = defineTable({
  name: 'daily_agent_load',
  partitionBy: 'ops_date',
  description: 'Per agent and day: assigned, resolved, late, open queue carried from the day before (_id = ops_date|team|agent_id)',
  columns: [
    { name: 'ops_date', type: 'date', nullable: false },
    { name: 'team', type: 'string', nullable: false },
    { name: 'agent_id', type: 'string', nullable: false },
    { name: 'tickets_assigned', type: 'integer', nullable: false },
    { name: 'tickets_resolved', type: 'integer', nullable: false },
    { name: 'resolved_late', type: 'integer', nullable: false },
    { name: 'avg_resolution_hours', type: 'double' },
    { name: 'open_start', type: 'integer', nullable: false },
    { name: 'open_end', type: 'integer', nullable: false },
  ],
});

export const backlogDaily = defineTable({
  name: 'backlog_daily',
  partitionBy: 'ops_date',
  description: 'Open tickets carried from day to day: open_end = previous open_end + opened − resolved (_id = ops_date)',
  columns: [
    { name: 'ops_date', type: 'date', nullable: false },
    { name: 'open_start', type: 'integer', nullable: false },
    { name: 'opened', type: 'integer', nullable: false },
    { name: 'resolved', type: 'integer', nullable: false },
    { name: 'open_end', type: 'integer', nullable: false },
    { name: 'net_change', type: 'integer', nullable: false },
    { name: 'urgent_open_end', type: 'integer', nullable: false, description: 'Critical + High still open at the end of the day' },
  ],
});

export const dailyOpsMetrics = defineTable({
  name: 'daily_ops_metrics',
  partitionBy: 'ops_date',
  description: 'One-line operational summary per day, data quality included (_id = ops_date)',
  columns: [
    { name: 'ops_date', type: 'date', nullable: false },
    { name: 'tickets_created', type: 'integer', nullable: false },
    { name: 'tickets_resolved', type: 'integer', nullable: false },
    { name: 'backlog_end', type: 'integer', nullable: false },
    { name: 'backlog_change', type: 'integer', nullable: false },
    { name: 'avg_tat_hours', type: 'double' },
    { name: 'sla_breach_pct', type: 'double' },
    { name: 'active_agents', type: 'integer', nullable: false },
    { name: 'resolved_per_agent', type: 'double' },
    { name: 'rows_read', type: 'integer', nullable: false },
    { name: 'rows_loaded', type: 'integer', nullable: false },
    { name: 'rows_errored', type: 'integer', nullable: false },
    { name: 'error_rate_pct', type: 'double' },
  ],
});

/** One row per processed date, written in the same transaction as the date's data. */
export const ingestionState = defineTable({
  name: 'ingestion_state',
  description: 'Processed dates (_id = ops_date); a date is never processed twice',
  columns: [
    { name: 'ops_date', type: 'date', nullable: false },
    { name: 'source_file', type: 'string', nullable: false },
    { name: 'run_mode', type: 'string', nullable: false, description: 'backfill, daily or replace' },
    { name: 'rows_read', type: 'integer', nullable: false },
    { name: 'rows_raw', type: 'integer', nullable: false },
    { name: 'rows_loaded', type: 'integer', nullable: false },
    { name: 'rows_errored', type: 'integer', nullable: false },
    { name: 'run_id', type: 'string', nullable: false },
    { name: 'processed_at', type: 'timestamp', nullable: false },
    { name: 'scheduled_for', type: 'timestamp', description: 'the schedule fire (UTC) that ran it, if any' },
  ],
});

/** Every fire of `sluice schedule`, so a restart knows which fires it missed. */
export const scheduleRuns = defineTable({
  name: 'ops_schedule_runs',
  description: 'Schedule fires (_id = fire time, ISO UTC) and what each did',
  columns: [
    { name: 'fire_at', type: 'timestamp', nullable: false, description: 'UTC' },
    { name: 'outcome', type: 'string', nullable: false, description: 'processed, file_missing, up_to_date or failed' },
    { name: 'ops_date', type: 'date' },
    { name: 'message', type: 'string' },
    { name: 'recorded_at', type: 'timestamp', nullable: false },
  ],
});

/** Rows that could not be used, with the reason and the raw line. */
export const opsTicketErrors = errorTable('ops_ticket_errors', [
  { name: 'ops_date', type: 'date' },
  { name: 'ticket_id', type: 'string' },
]);

/** The six tables the backfill and the daily job must agree on. */
export const OPS_OUTPUT_TABLES: readonly TableSpec[] = [ticketsRaw, factTickets, featuresDaily, dailyAgentLoad, backlogDaily, dailyOpsMetrics];

/** Every table the ops jobs create. */
export const OPS_TABLES: readonly TableSpec[] = [...OPS_OUTPUT_TABLES, ingestionState, scheduleRuns, opsTicketErrors];
