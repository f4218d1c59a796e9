import { type Pipeline, pipeline } from '../../src/core/pipeline.js';
import { parseJson } from '../../src/core/steps/parse-json.js';
import { dlpScan, maskFindings } from '../../src/privacy/dlp.js';
import { createPayloadRedactor } from '../../src/privacy/redact-payload.js';
import { EmbeddedOnlineStore } from '../../src/connectors/online-embedded/embedded-online-store.js';
import type { OnlineStore } from '../../src/core/online-store.js';
import {
  computeFeatures,
  featureBookkeeping,
  forFeatures,
  lookupWardDensity,
  parseTicketOrStatus,
  reportedByParallelLane,
  routeStatusUpdates,
  ticketRows,
  ticketsOnly,
  toMlFeatures,
  writeOnlineFeatures,
} from './feature-steps.js';
import { cleanseTicket, dlpScanTicket, hashTicketPii } from './steps.js';
import { cleansedTickets, mlFeatures, rawTickets, ticketErrors } from './tables.js';
import { TicketInput } from './ticket-schema.js';
import type { Lane } from '../../src/runtime/lanes.js';

export const MUNICIPAL_PII_FIELDS = ['citizen_id', 'phone'] as const;

/** The city's citizen id format, masked wherever it turns up in unparseable payloads. */
export const CITIZEN_ID = { name: 'CITIZEN_ID', pattern: /\bCIT-\d{6,}\b/g } as const;

export interface MunicipalTicketsOptions {
  /** The keyed PII hash (see `piiHasherFromEnv`). */
  readonly hash: (value: string) => string;
  /** Replace DLP findings in descriptions by `[TYPE]`. Default true: the raw values never land. */
  readonly maskDlpFindings?: boolean;
  /**
   * `1-8` runs the whole seed; `1-5` only ingest and cleansing (no status input, features, online
   * store or publish). Default `1-5`, what this function built before steps 6–8 existed, so its
   * callers keep their tables and error counts; the CLI's definition asks for `1-8`.
   */
  readonly steps?: '1-5' | '1-8';
  /** The online store for features (step 7) and their tiles; default an in-memory one (nothing kept). */
  readonly online?: OnlineStore;
  /** `wards.csv` with population densities (written by `sluice generate`). Default `./wards.csv`. */
  readonly wardsCsv?: string;
  /** One of N workers sharing the online store: its slot and the number of workers (see FeatureUpdater). */
  readonly worker?: { readonly id: string; readonly workers: number };
  /**
   * With steps 1–8, one lane of the pipeline (see src/runtime/lanes.ts): `parallel` = steps 1–5
   * and their tables, `ordered` = steps 6–8 over every message. Default: all of it.
   */
  readonly lane?: Lane;
}

/**
 * Seed 000, steps 1–8: tickets.new (+ tickets.status) → parse → hash PII → DLP scan → raw_tickets
 * → cleanse → cleansed_tickets → ward lookup → rolling features → ml_features → online store →
 * tickets.ready_for_scoring. Status updates share the flow up to the features step (the ticket
 * steps pass them through), are stored in ticket_status_updates and leave as `filtered`.
 * Failures → ticket_errors and tickets.dlq.
 *
 * @example
 * const p = municipalTicketsPipeline({ hash: piiHasherFromEnv().hash });
 */
export function municipalTicketsPipeline(options: MunicipalTicketsOptions): Pipeline<string, unknown> {
  const redact = createPayloadRedactor({ piiFields: MUNICIPAL_PII_FIELDS, hash: options.hash, customInfoTypes: [CITIZEN_ID] });
  const base = pipeline<string>({
    name: 'municipal-tickets',
    description:
      options.steps === '1-8'
        ? 'Civic complaint tickets: PII hashing, DLP scanning, cleansing, features, online store (seed 000, steps 1–8)'
        : 'Civic complaint tickets: PII hashing, DLP scanning, cleansing (seed 000, steps 1–5)',
    input: 'tickets.new',
    errorTable: ticketErrors,
    deadLetterTopic: 'tickets.dlq',
    keyFields: ['ticket_id'],
    eventTimeField: 'submitted_at',
    redactRawPayload: redact,
    redactErrorMessage: redact.maskText,
  });
  if (options.steps !== '1-8') {
    return base
      .step('parse', parseJson(TicketInput, { idField: 'ticket_id' }), STATELESS)
      .step('hashPii', hashTicketPii(options.hash), STATELESS)
      .step('dlpScan', dlpScanTicket(dlpScan, options.maskDlpFindings === false ? null : maskFindings), STATELESS)
      .write(rawTickets)
      .step('cleanse', cleanseTicket, STATELESS)
      .write(cleansedTickets);
  }
  const ingest = () =>
    base
      .step('parse', parseTicketOrStatus(), STATELESS)
      .step('hashPii', ticketsOnly(hashTicketPii(options.hash)), STATELESS)
      .step('dlpScan', ticketsOnly(dlpScanTicket(dlpScan, options.maskDlpFindings === false ? null : maskFindings)), STATELESS)
      .write(rawTickets, ticketRows(rawTickets))
      .step('cleanse', ticketsOnly(cleanseTicket), STATELESS)
      .write(cleansedTickets, ticketRows(cleansedTickets));
  if (options.lane === 'parallel') {
    // Steps 1–5 only: status updates leave here as they would after the features step.
    return ingest().step('routeStatus', routeStatusUpdates, STATELESS);
  }
  // The ordered lane reads every message again on its own consumer: what fails to parse is the
  // parallel lane's to report (error row, dead letter), so here it is only left out. DLP and
  // cleansing reject nothing and change no field the features read, so they are skipped.
  const tickets =
    options.lane === 'ordered'
      ? base
          .step('parse', reportedByParallelLane(parseTicketOrStatus()), STATELESS)
          .step('hashPii', ticketsOnly(hashTicketPii(options.hash)), STATELESS)
      : ingest();
  const online = options.online ?? inMemoryStore();
  // Steps 1–5 first, all stateless, so step threads run them and write both ticket tables; status
  // updates pass through them untouched. Steps 6–8 keep state and run on the main thread.
  return tickets
    .step('forFeatures', ticketsOnly(forFeatures), STATELESS)
    .step('lookupWard', lookupWardDensity(options.wardsCsv ?? 'wards.csv'))
    .step('features', computeFeatures(online, options.worker !== undefined ? { worker: options.worker.id, workers: options.worker.workers } : {}))
    .tap(featureBookkeeping())
    .step('routeStatus', routeStatusUpdates)
    .step('mlFeatures', toMlFeatures)
    .write(mlFeatures)
    .step('onlineStore', writeOnlineFeatures(online))
    .publish(READY_TOPIC, (v) => `{"ticket_id":${JSON.stringify(v.ticket_id)},"ready":true}`);
}

/** Parsing, hashing, DLP and cleansing look at one ticket at a time: they may run on step threads. */
const STATELESS = { stateless: true } as const;

/** An in-memory store needs no I/O to open: `open()` completes before its first await. */
function inMemoryStore(): OnlineStore {
  const store = new EmbeddedOnlineStore();
  void store.open();
  return store;
}

/** Seed step 8: where tickets with features are announced. */
export const READY_TOPIC = 'tickets.ready_for_scoring';
