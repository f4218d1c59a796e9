import type { Envelope, EnvelopeMeta } from '../../src/core/envelope.js';
import type { FeatureScalar, FeatureWrite, OnlineStore } from '../../src/core/online-store.js';
import type { SideOutputs, StatefulOperator } from '../../src/core/stateful.js';
import { Filtered, Rejection, type StepContext, type StepFn, type StepResult } from '../../src/core/step.js';
import { parseJson } from '../../src/core/steps/parse-json.js';
import { parseTimestamp } from '../../src/core/timestamps.js';
import { type BatchItem, batchedStep } from '../../src/features/batched-step.js';
import { csvReferenceLoader, type LookupStep, lookupStep } from '../../src/features/lookup.js';
import { FeatureUpdater, type FeatureUpdaterOptions, type UpdaterItem } from '../../src/features/streaming.js';
import { type Clock, systemClock } from '../../src/time/clock.js';
import { FEATURES_TAP, MUNICIPAL_FEATURES, type MunicipalFeatureValues, TICKET_REF_ENTITY, timeFeatures } from './features.js';
import { isStatusUpdate, StatusInput, type StatusUpdate } from './status-schema.js';
import { featureRefusals, type mlFeatures, ticketStatusUpdates } from './tables.js';
import { TicketInput, type TicketForFeatures } from './ticket-schema.js';
import type { Row, TableSpec } from '../../src/core/schema.js';
import { projectByColumnName } from '../../src/core/pipeline.js';

/** The topic status updates arrive on (`attributes.topic` of merged inputs). */
export const STATUS_TOPIC = 'tickets.status';

/**
 * Step 1 for both inputs: a message from `tickets.status` is parsed as a status update (its id
 * becomes `ticket_id:status:updated_at`, so a redelivery with a new message id is still the same
 * update); anything else as a ticket, as before.
 */
export function parseTicketOrStatus(): StepFn<string, TicketInput | StatusUpdate> {
  const parseTicket = parseJson(TicketInput, { idField: 'ticket_id' });
  const parseStatus = parseJson(StatusInput);
  return (payload, ctx) => {
    if (ctx.envelope.attributes.topic !== STATUS_TOPIC) return parseTicket(payload, ctx) as StepResult<TicketInput>;
    const parsed = parseStatus(payload, ctx) as StepResult<StatusInput>;
    if (!isParsed(parsed)) return parsed;
    const updatedAt = parseTimestamp(parsed.updated_at) as number;
    ctx.setId(`${parsed.ticket_id}:${parsed.status}:${updatedAt}`);
    return {
      record_type: 'status_update',
      ticket_id: parsed.ticket_id,
      status: parsed.status,
      updated_at: updatedAt,
      response_minutes: parsed.response_minutes ?? null,
      ingestion_timestamp: ctx.now,
    } satisfies StatusUpdate;
  };
}

function isParsed<T>(result: StepResult<T>): result is T {
  return !(result instanceof Rejection) && !(result instanceof Filtered);
}

/**
 * The ordered lane's parse: a message that does not parse is left out (filtered), not reported —
 * the parallel lane, which reads the same message, writes its error row and dead-letters it once.
 */
export function reportedByParallelLane<I, O>(fn: StepFn<I, O>): StepFn<I, O> {
  const leaveOut = (result: StepResult<O>, ctx: StepContext): StepResult<O> =>
    result instanceof Rejection ? ctx.filter(`${result.errorType}: reported by the parallel lane`) : result;
  return (value, ctx) => {
    let result: StepResult<O> | Promise<StepResult<O>>;
    try {
      result = fn(value, ctx);
    } catch {
      return ctx.filter('step_exception: reported by the parallel lane');
    }
    return result instanceof Promise ? result.then((r) => leaveOut(r, ctx)) : leaveOut(result, ctx);
  };
}

/** Runs a ticket step on tickets and passes status updates through untouched. */
export function ticketsOnly<I, O>(fn: StepFn<I, O>): StepFn<I | StatusUpdate, O | StatusUpdate> {
  return (value, ctx) => (isStatusUpdate(value) ? value : fn(value as I, ctx));
}

/** A ticket on its way through steps 5–7: the raw ticket plus its ward density and features. */
export interface FeaturedFields {
  population_density: number | null;
  features: MunicipalFeatureValues;
  features_as_of: number;
}

/**
 * Step 6, reference data: each ticket's ward population density from `wards.csv` (written by
 * `sluice generate`), behind a TTL cache (default 5 minutes, the seed's). A ward the file does not
 * list — or a missing file — gives `null`, counted as "not found" in the run summary.
 */
export function lookupWardDensity(path: string, options: { ttlMs?: number } = {}): LookupStep<TicketForFeatures | StatusUpdate, DensityTicket | StatusUpdate> {
  const load = csvReferenceLoader(path, 'ward');
  return lookupStep({
    name: 'ward population density',
    source: path,
    key: (v) => (isStatusUpdate(v) ? null : v.ward),
    load,
    apply: (v, row) => {
      if (isStatusUpdate(v)) return v;
      const density = row === undefined ? Number.NaN : Number(row.population_density);
      return Object.assign(v, { population_density: Number.isFinite(density) ? density : null });
    },
    ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
  });
}

type DensityTicket = TicketForFeatures & { population_density: number | null };

/**
 * Step 6, rolling features. One call per batch: tickets register where they belong (so their
 * status updates can be attributed), then every ticket and status update is applied to the tiles
 * once per envelope id and every ticket is scored as of its boundary (see src/features/tiles.ts).
 * A status update whose ticket was not read before it is `unmatched`: recorded, not counted — the backfill
 * leaves it out the same way. With N workers, `options.worker` makes the workers share the horizon
 * (see FeatureUpdater).
 */
export function computeFeatures(
  store: OnlineStore,
  options: FeatureUpdaterOptions = {},
): StepFn<DensityTicket | StatusUpdate, (DensityTicket & FeaturedFields) | StatusUpdate> {
  const updater = new FeatureUpdater(MUNICIPAL_FEATURES, store, options);
  return batchedStep(async (items: readonly BatchItem<DensityTicket | StatusUpdate>[]) => {
    // Where each status update's ticket belongs, as of the update's place in the stream: a ticket
    // earlier in this batch, or one an earlier batch stored. A ticket later in the batch does not
    // count (the update is unmatched, as it would be with a batch boundary between them), so the
    // verdicts do not depend on how the stream was cut into batches.
    type Ref = { ward: string; category: string; citizen_id_hash: string | null };
    const inBatch = new Map<string, { readonly ref: Ref; readonly at: number }>();
    const refWrites: FeatureWrite[] = [];
    for (let i = 0; i < items.length; i++) {
      const { value } = items[i] as BatchItem<DensityTicket | StatusUpdate>;
      if (isStatusUpdate(value) || inBatch.has(value.ticket_id)) continue;
      const ref = { ward: value.ward, category: value.category, citizen_id_hash: value.citizen_id_hash };
      inBatch.set(value.ticket_id, { ref, at: i });
      refWrites.push({ entity: TICKET_REF_ENTITY, id: value.ticket_id, values: ref, asOf: value.submitted_at });
    }
    const earlierInBatch = (ticketId: string, at: number): Ref | undefined => {
      const entry = inBatch.get(ticketId);
      return entry !== undefined && entry.at < at ? entry.ref : undefined;
    };
    const unknown = [...new Set(items.filter((item, i) => isStatusUpdate(item.value) && earlierInBatch(item.value.ticket_id, i) === undefined).map((item) => item.value.ticket_id))];
    // Read before this batch's tickets are written: they must not answer for updates read before them.
    const found = unknown.length > 0 ? await store.getMany(TICKET_REF_ENTITY, unknown) : [];
    await store.write(refWrites);
    const stored = new Map<string, Ref>();
    for (let i = 0; i < unknown.length; i++) {
      const record = found[i];
      if (record === null || record === undefined) continue;
      const f = record.features;
      stored.set(unknown[i] as string, {
        ward: String(f.ward?.value ?? ''),
        category: String(f.category?.value ?? ''),
        citizen_id_hash: typeof f.citizen_id_hash?.value === 'string' ? f.citizen_id_hash.value : null,
      });
    }
    const updates: UpdaterItem[] = items.map(({ value, envelope }, i) => {
      if (isStatusUpdate(value)) {
        const ref = earlierInBatch(value.ticket_id, i) ?? stored.get(value.ticket_id);
        const fields = { kind: value.status, response_minutes: value.response_minutes, ...ref };
        return ref === undefined ? { id: envelope.id, event: { time: value.updated_at, fields }, unmatched: true } : { id: envelope.id, event: { time: value.updated_at, fields } };
      }
      const ticket = { time: value.submitted_at, fields: { kind: 'ticket', ward: value.ward, category: value.category, citizen_id_hash: value.citizen_id_hash } };
      return { id: envelope.id, event: ticket, target: ticket };
    });
    const results = await updater.process(updates);
    return items.map(({ value }, i) => {
      const r = results[i] as (typeof results)[number];
      if (isStatusUpdate(value)) {
        if (r.verdict !== undefined) value.feature_verdict = r.verdict;
        return value;
      }
      const featured = value as DensityTicket & FeaturedFields & { feature_verdict?: string };
      featured.features = r.values as MunicipalFeatureValues;
      featured.features_as_of = r.asOf as number;
      if (r.verdict !== undefined && r.verdict !== 'applied') featured.feature_verdict = r.verdict;
      return featured;
    });
  });
}

/**
 * Bookkeeping after the features step, in the chunk's transaction: status updates are stored in
 * `ticket_status_updates`, and every event the tiles refused (late, unmatched) is recorded in
 * `feature_refusals`. The records themselves flow on: a refusal is not an error of the record.
 */
export function featureBookkeeping(clock: Clock = systemClock): StatefulOperator<unknown> {
  return {
    name: FEATURES_TAP,
    tables: [ticketStatusUpdates, featureRefusals],
    observe(value: unknown, envelope: EnvelopeMeta, out: SideOutputs): void {
      const status = isStatusUpdate(value) ? value : null;
      if (status !== null) {
        out.write(ticketStatusUpdates, [envelope.id, status.ticket_id, status.status, status.updated_at, status.response_minutes, status.ingestion_timestamp]);
      }
      const verdict = (value as { feature_verdict?: string }).feature_verdict;
      if (verdict === 'late' || verdict === 'unmatched') {
        const ticket = value as TicketForFeatures;
        out.write(featureRefusals, [
          envelope.id,
          ticket.ticket_id,
          status?.status ?? 'ticket',
          verdict,
          status?.updated_at ?? ticket.submitted_at,
          clock.now(),
        ]);
      }
    },
    tick(): void {},
    finish(): void {},
    // Stateless: everything it knows is in the rows it writes, so there is nothing to checkpoint.
    snapshot(): undefined {
      return undefined;
    },
    restore(): void {},
  };
}

/** Status updates leave the ticket path here: they are stored (by the bookkeeping tap) and counted as filtered. */
export const routeStatusUpdates = <T>(value: T | StatusUpdate, ctx: StepContext): StepResult<T> =>
  isStatusUpdate(value) ? ctx.filter('status update: stored in ticket_status_updates, feeds the features') : (value as T);

/**
 * A write of ticket rows only: status updates share the flow up to the features step but have
 * their own table (written by the bookkeeping tap).
 */
export function ticketRows(table: TableSpec): (value: unknown, envelope: Envelope) => Row | null {
  const project = projectByColumnName(table);
  return (value, envelope) => (isStatusUpdate(value) ? null : project(value, envelope));
}

/**
 * After the tickets are written, only what steps 6–8 read travels on: the step threads hand the
 * values back to the main thread, and a small object clones in a fraction of the time.
 */
export const forFeatures = (t: TicketForFeatures): TicketForFeatures => ({
  ticket_id: t.ticket_id,
  citizen_id_hash: t.citizen_id_hash,
  submitted_at: t.submitted_at,
  ward: t.ward,
  category: t.category,
  channel: t.channel,
});

/** One `ml_features` row, as an object whose keys are the table's columns. */
export type MlFeatureRow = Record<(typeof mlFeatures.columns)[number]['name'], unknown>;

/** Step 6's output: the seed's feature record. */
export const toMlFeatures: StepFn<TicketForFeatures & FeaturedFields, MlFeatureRow> = (t, ctx) => ({
  _id: t.ticket_id,
  ticket_id: t.ticket_id,
  submitted_at: t.submitted_at,
  features_as_of: t.features_as_of,
  ward: t.ward,
  category: t.category,
  channel: t.channel,
  ...timeFeatures(t.submitted_at),
  population_density: t.population_density,
  ...t.features,
  computed_at: ctx.now,
});

/**
 * Step 7: the seed's feature ids to the online store, for entity `ticket` and for the ticket's
 * `ward` (newest as-of wins there, so a late ticket never rolls a ward back). One write per batch.
 */
export function writeOnlineFeatures(store: OnlineStore): StepFn<MlFeatureRow, MlFeatureRow> {
  return batchedStep(async (items: readonly BatchItem<MlFeatureRow>[]) => {
    const writes: FeatureWrite[] = [];
    const wards = new Map<string, FeatureWrite>();
    for (const { value } of items) {
      const values: Record<string, FeatureScalar> = {
        ward_tickets_7d: value.ward_tickets_7d as FeatureScalar,
        escalation_rate_7d: value.ward_escalation_rate_7d as FeatureScalar,
        avg_response_time: value.avg_response_time as FeatureScalar,
      };
      const asOf = value.features_as_of as number;
      writes.push({ entity: 'ticket', id: value.ticket_id as string, values, asOf });
      const ward = value.ward as string | null;
      if (ward !== null && (wards.get(ward)?.asOf ?? Number.NEGATIVE_INFINITY) <= asOf) wards.set(ward, { entity: 'ward', id: ward, values, asOf });
    }
    await store.write([...writes, ...wards.values()]);
    return items.map((i) => i.value);
  });
}
