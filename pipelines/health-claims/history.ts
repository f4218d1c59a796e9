/**
 * The history behind the fraud features: per-key running statistics of claim amounts and per
 * patient-day claim counts.
 *
 * Limitation, on purpose for now: the state lives in memory, inside the pipeline object built for
 * one run. It starts empty at every start and is lost on a crash, so after a restart the history
 * features (amount outliers, claims per patient per day, new provider) are computed from the
 * claims seen since — and a claim redelivered after a restart keeps the score stored the first
 * time, since the sink ignores keys it already holds. With one process reading the input in order
 * the features are deterministic: the same input order gives the same scores.
 *
 * It is shaped for a keyed online store (another issue): every read and update touches one key
 * (a provider, a procedure, a region × procedure cell, a patient-day), the values are small plain JSON objects,
 * and the running statistics use Welford's update, which needs only (n, mean, M2) per key.
 */

/** Count, mean and sum of squared deviations (Welford). Plain JSON, so a keyed store can hold it. */
export interface RunningStats {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
}

/**
 * Adds one observation (Welford's online update: numerically stable, one pass, O(1) state).
 *
 * @example
 * let s = welfordAdd(undefined, 2); s = welfordAdd(s, 4); // { n: 2, mean: 3, m2: 2 }
 */
export function welfordAdd(stats: RunningStats | undefined, x: number): RunningStats {
  if (stats === undefined) return { n: 1, mean: x, m2: 0 };
  const n = stats.n + 1;
  const delta = x - stats.mean;
  const mean = stats.mean + delta / n;
  return { n, mean, m2: stats.m2 + delta * (x - mean) };
}

/**
 * The sample standard deviation, or 0 below two observations.
 *
 * @example
 * sampleStdDev({ n: 2, mean: 3, m2: 2 }); // √2
 */
export function sampleStdDev(stats: RunningStats): number {
  return stats.n < 2 ? 0 : Math.sqrt(stats.m2 / (stats.n - 1));
}

/** Earlier claims a baseline needs before amounts are compared with it. */
export const MIN_BASELINE_CLAIMS = 10;

/**
 * The amount baseline of a claim: its region × procedure cell once that has enough history, else
 * the procedure across all regions (prices differ by region, but far less than by procedure).
 *
 * @example
 * const baseline = amountBaseline(reading.regionProcedure, reading.procedure);
 */
export function amountBaseline(regional: RunningStats | undefined, national: RunningStats | undefined): RunningStats | undefined {
  return regional !== undefined && regional.n >= MIN_BASELINE_CLAIMS ? regional : national;
}

/** What one claim contributes to, and reads from, the history. */
export interface ClaimHistoryKeys {
  readonly claimId: string;
  readonly providerId: string;
  /** The procedure code: the fallback baseline while a region has too few claims for it. */
  readonly procedure: string;
  /** `region|procedure_code`: amounts are comparable only for the same procedure in the same market. */
  readonly regionProcedure: string;
  /** A stable pseudonymous patient key (a prefix of the keyed patient hash), never the raw id. */
  readonly patientKey: string;
  /** Days since 1970-01-01 of the service date. */
  readonly serviceDay: number;
  /** ln(claim_amount + 1): claim amounts are log-normal, so their logarithms are compared. */
  readonly logAmount: number;
}

/** The history as it stood before this claim (point in time: a claim never sees itself). */
export interface ClaimHistoryReading {
  /** ln-amount statistics of earlier claims for the same region × procedure. */
  readonly regionProcedure: RunningStats | undefined;
  /** ln-amount statistics of earlier claims for the same procedure in any region. */
  readonly procedure: RunningStats | undefined;
  /**
   * Statistics of the provider's earlier claims' deviation from their amount baseline's mean
   * (see {@link amountBaseline}) — the provider's usual mark-up, comparable across procedures.
   */
  readonly providerDeviation: RunningStats | undefined;
  /** Claims seen from this provider before this one. */
  readonly providerPriorClaims: number;
  /** Claims seen for this patient on this service day, this one included. */
  readonly patientClaimsThatDay: number;
  /** The claim id was seen before (a redelivery): it was read, not counted again. */
  readonly repeated: boolean;
}

/**
 * Reads a claim's history and records the claim, in one call so a keyed store can do it as one
 * read-modify-write per key.
 */
export interface ClaimHistory {
  observe(keys: ClaimHistoryKeys): ClaimHistoryReading;
}

export interface InMemoryClaimHistoryOptions {
  /** Patient-day counts are kept for service days this close to the newest one seen. Default 45. */
  readonly patientDayRetentionDays?: number;
  /** Claim ids remembered to recognise redeliveries. Default 200 000. */
  readonly recentClaimIds?: number;
}

interface ProviderState {
  claims: number;
  deviation: RunningStats | undefined;
}

/** The last N ids in insertion order (a ring over a Set). */
class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: Array<string | undefined>;
  private next = 0;
  constructor(capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(1, capacity));
  }
  /** Adds the id; true if it was already there. */
  addSeen(id: string): boolean {
    if (this.ids.has(id)) return true;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.ring.length;
    this.ids.add(id);
    return false;
  }
}

/**
 * The in-memory history. Memory is bounded by the number of providers, region × procedure cells,
 * the patient-days within the retention window, and the recent-id ring — not by the length of the
 * stream. Eviction is driven by the data (the newest service day seen), never by the wall clock,
 * so it is as deterministic as the rest.
 *
 * @example
 * const history = new InMemoryClaimHistory();
 * const before = history.observe({ claimId: 'C1', providerId: 'P1', regionProcedure: 'west|99213', patientKey: 'ab12', serviceDay: 20_390, logAmount: 4.7 });
 */
export class InMemoryClaimHistory implements ClaimHistory {
  private readonly regionProcedure = new Map<string, RunningStats>();
  private readonly procedure = new Map<string, RunningStats>();
  private readonly providers = new Map<string, ProviderState>();
  /** service day → patient key → claims. */
  private readonly patientDays = new Map<number, Map<string, number>>();
  private readonly recent: RecentIds;
  private readonly retentionDays: number;
  private newestDay = Number.NEGATIVE_INFINITY;

  constructor(options: InMemoryClaimHistoryOptions = {}) {
    this.retentionDays = options.patientDayRetentionDays ?? 45;
    this.recent = new RecentIds(options.recentClaimIds ?? 200_000);
  }

  observe(keys: ClaimHistoryKeys): ClaimHistoryReading {
    const repeated = this.recent.addSeen(keys.claimId);
    const regional = this.regionProcedure.get(keys.regionProcedure);
    const national = this.procedure.get(keys.procedure);
    let provider = this.providers.get(keys.providerId);
    const providerPriorClaims = provider?.claims ?? 0;
    const providerDeviation = provider?.deviation;
    let day = this.patientDays.get(keys.serviceDay);
    const before = day?.get(keys.patientKey) ?? 0;
    if (repeated) {
      return { regionProcedure: regional, procedure: national, providerDeviation, providerPriorClaims, patientClaimsThatDay: Math.max(1, before), repeated };
    }

    this.regionProcedure.set(keys.regionProcedure, welfordAdd(regional, keys.logAmount));
    this.procedure.set(keys.procedure, welfordAdd(national, keys.logAmount));
    if (provider === undefined) {
      provider = { claims: 0, deviation: undefined };
      this.providers.set(keys.providerId, provider);
    }
    provider.claims++;
    // The deviation needs a baseline to deviate from, measured as the score will measure it.
    const baseline = amountBaseline(regional, national);
    if (baseline !== undefined && baseline.n >= MIN_BASELINE_CLAIMS) provider.deviation = welfordAdd(provider.deviation, keys.logAmount - baseline.mean);
    if (day === undefined) {
      day = new Map();
      this.patientDays.set(keys.serviceDay, day);
    }
    day.set(keys.patientKey, before + 1);
    if (keys.serviceDay > this.newestDay) {
      this.newestDay = keys.serviceDay;
      this.evictOldDays();
    }
    return { regionProcedure: regional, procedure: national, providerDeviation, providerPriorClaims, patientClaimsThatDay: before + 1, repeated };
  }

  /** Days held, for tests and memory checks. */
  get patientDaysHeld(): number {
    return this.patientDays.size;
  }

  private evictOldDays(): void {
    const oldest = this.newestDay - this.retentionDays;
    for (const day of this.patientDays.keys()) if (day < oldest) this.patientDays.delete(day);
  }
}
