import type { PipelineDefinition } from '../../src/core/pipeline-definition.js';
import { la311RowToTicket } from './la311-profile.js';
import { type MunicipalTicketsOptions, municipalTicketsPipeline } from './pipeline.js';
import { WORKER_COUNT_ENV, WORKER_INDEX_ENV } from '../../src/runtime/workers.js';
import { laneOf } from '../../src/runtime/lanes.js';

/**
 * A lane of `--workers N` (steps 1–5 on N processes, steps 6–8 on one), or — a whole pipeline
 * started as one of several processes by hand — the slot it shares the features' horizon under.
 */
function laneOptions(env: Readonly<Record<string, string | undefined>>): Pick<MunicipalTicketsOptions, 'lane' | 'worker'> {
  const lane = laneOf(env);
  if (lane !== undefined) return { lane };
  const index = env[WORKER_INDEX_ENV];
  return index !== undefined ? { worker: { id: index, workers: Number(env[WORKER_COUNT_ENV] ?? 1) } } : {};
}

/**
 * Seed 000 steps 1–5 only (ingest and cleansing, no status input or features): what the
 * benchmarks measure against a hand loop. Not listed by `sluice pipelines`.
 */
export const municipalIngestDefinition: PipelineDefinition = {
  name: 'municipal-tickets',
  description: 'Civic complaint tickets: PII hashing, DLP scanning, cleansing (seed 000, steps 1–5)',
  input: 'tickets.new',
  build: (context) => municipalTicketsPipeline({ hash: context.hash, steps: '1-5', maskDlpFindings: context.env.SLUICE_DLP_MASK !== 'false' }),
};

export const municipalTicketsDefinition: PipelineDefinition = {
  name: 'municipal-tickets',
  description: 'Civic complaint tickets and their status updates: PII hashing, DLP scan, cleansing, rolling features → ml_features, online store, tickets.ready_for_scoring (seed 000)',
  input: 'tickets.new',
  extraInputs: ['tickets.status'],
  build: (context) =>
    municipalTicketsPipeline({
      hash: context.hash,
      steps: '1-8',
      maskDlpFindings: context.env.SLUICE_DLP_MASK !== 'false',
      ...(context.online !== undefined ? { online: context.online } : {}),
      wardsCsv: context.env.SLUICE_WARDS_CSV ?? 'wards.csv',
      ...laneOptions(context.env),
    }),
  orderedLane: {
    description: 'rolling features, ml_features, ticket_status_updates, online store, tickets.ready_for_scoring (steps 6–8)',
  },
  inputProfiles: {
    la311: {
      format: 'csv',
      description: 'Los Angeles MyLA311 service requests export (SRNumber, CreatedDate, RequestType, CD, ZipCode, RequestSource …)',
      mapRow: la311RowToTicket,
    },
  },
  summaryQueries: [
    {
      title: 'ml_features',
      sql: `SELECT count(*) AS tickets, round(avg(ward_tickets_7d), 1) AS avg_ward_tickets_7d, round(avg(ward_escalation_rate_7d), 4) AS avg_ward_escalation_rate_7d, round(avg(avg_response_time), 1) AS avg_response_minutes, count(population_density) AS with_density FROM ml_features`,
    },
    {
      title: 'ticket status updates',
      sql: `SELECT status, count(*) AS updates FROM ticket_status_updates GROUP BY status ORDER BY updates DESC`,
    },
    {
      title: 'DLP findings by info type',
      sql: `SELECT info_type, count(*) AS findings FROM (SELECT unnest(_dlp_findings) AS info_type FROM raw_tickets) GROUP BY info_type ORDER BY findings DESC, info_type`,
    },
  ],
};
