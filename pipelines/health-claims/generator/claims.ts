import { type GeneratedLine, type GeneratorOptions, resolveGeneratorOptions } from '../../../src/generate/generator.js';
import { isoUtc } from '../../../src/generate/iso-time.js';
import { Random, WeightedChoices } from '../../../src/generate/random.js';
import { CLAIMS_TOPIC } from '../claim-schema.js';
import { CLAIM_BAD_REASON_CHOICES, type ClaimBadReason, type ClaimFacts, corruptClaim } from './bad-records.js';
import { PROCEDURE_CHOICES, type Procedure, SPECIALTY_CHOICES } from './catalog.js';
import type { ClaimJson } from './claim-json.js';
import { type Patient, PatientPool, pickSpecialty, type Provider, ProviderPool } from './population.js';

/**
 * The health-claims stream on `claims-ingest`: claims from a population of patients and
 * providers, a planted share of fraudulent patterns, and bad records at `badRate`.
 *
 * Shares (of lines):
 * - bad: `badRate`, of which a fifth are byte-exact duplicates of a recent valid line;
 * - of the rest, 0.5% late (submission 10–60 min behind the stream) and 2% out of order (≤ 2 min);
 * - fraud events start on 1.5% of fresh claims; bursts and phantom practices add follow-up claims,
 *   so about 3–4% of valid claims are fraudulent. Each is marked on its line (`fraud`,
 *   `fraudPattern`), never in the payload.
 * - legitimate noise the score must live with: 15% of visits have a same-day companion claim, 3%
 *   of claims are complex cases billed 1.3–2.2× the usual, 3% come from slow billers (20–90 days),
 *   12% of non-emergency practices open at weekends.
 */

/** How a fraudulent claim was made. */
export type FraudPattern =
  /** A normal practice bills 2.5–6× the usual amount for the procedure. */
  | 'upcoding'
  /** A practice never seen before bills 3–6 claims for scattered patients at 1.8–4× the usual, half at weekends. */
  | 'phantom_provider'
  /** One patient, one provider, one service day: 4–7 claims for different procedures. */
  | 'patient_day_burst'
  /** Submitted 120–400 days after the service, at up to 2× the usual amount. */
  | 'stale_claim'
  /** An elective service dated on a weekend by a practice that is closed then, at 1.5–3× the usual. */
  | 'weekend_elective';

/** A generated claims line: what it is, and whether the claim was planted as fraud. */
export interface ClaimLine extends GeneratedLine {
  /** True for a planted fraudulent claim (valid lines only; duplicates copy it). */
  readonly fraud?: boolean;
  readonly fraudPattern?: FraudPattern;
}

export const DUPLICATE_SHARE_OF_BAD = 0.2;
export const LATE_SHARE = 0.005;
export const OUT_OF_ORDER_SHARE = 0.02;
export const FRAUD_EVENT_SHARE = 0.015;
const COMPANION_SHARE = 0.15;
const COMPLEX_CASE_SHARE = 0.03;
const SLOW_BILLER_SHARE = 0.03;
const DUPLICATE_CANDIDATES = 128;
const DUPLICATE_SAMPLE_EVERY = 8;

const FRAUD_CHOICES = new WeightedChoices<FraudPattern>([
  ['upcoding', 35],
  ['phantom_provider', 12],
  ['patient_day_burst', 15],
  ['stale_claim', 18],
  ['weekend_elective', 20],
]);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY_MS = 86_400_000;
/** US Eastern standard time: claims arrive on the payer's business day. */
const EASTERN_OFFSET_MS = -5 * 3_600_000;

/** Relative submission rate by Eastern hour (mean 1): clearinghouse batches in office hours. */
const HOURLY_RATE: readonly number[] = (() => {
  const raw = [0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 1.8, 1.8, 1.7, 1.4, 1.6, 1.7, 1.7, 1.6, 1.3, 1.0, 0.8, 0.6, 0.5, 0.4, 0.3];
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((r) => r / mean);
})();
/** Weekdays 1.15, weekends 0.625: mean 1 over a week. Index 0 = Sunday. */
const WEEKDAY_RATE: readonly number[] = [0.625, 1.15, 1.15, 1.15, 1.15, 1.15, 0.625];

function weekday(day: number): number {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7;
}

// Service days are formatted here rather than by isoUtc, whose one-day cache would then miss on
// every line (the service day and the submission time alternate).
const DAY_TEXT = new Map<number, string>();

function dayText(day: number): string {
  let text = DAY_TEXT.get(day);
  if (text === undefined) {
    if (DAY_TEXT.size > 4096) DAY_TEXT.clear();
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    DAY_TEXT.set(day, text);
  }
  return text;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** One claim's values before rendering. */
interface Draft {
  readonly claimId: string;
  readonly patient: Patient;
  readonly provider: Provider;
  readonly procedure: Procedure;
  readonly diagnosis: string;
  readonly amount: number;
  readonly serviceDay: number;
  readonly submittedAt: number;
  readonly fraud: FraudPattern | undefined;
}

/** A claim to emit on a later line, finished with that line's submission time. */
type FollowUp = (submittedAt: number) => Draft;

interface RecentLine {
  readonly line: string;
  readonly key: string;
  readonly eventTime: number;
  readonly pii: readonly string[];
  readonly fraud: FraudPattern | undefined;
}

function claimJson(d: Draft): ClaimJson {
  const s = d.provider.specialty;
  return {
    claim_id: `"${d.claimId}"`,
    patient_id: `"${d.patient.id}"`,
    patient_age: String(d.patient.age),
    patient_gender: `"${d.patient.gender}"`,
    provider_id: `"${d.provider.id}"`,
    provider_specialty: `"${s.id}"`,
    provider_region: `"${d.provider.region.id}"`,
    procedure_code: `"${d.procedure.code}"`,
    diagnosis_code: `"${d.diagnosis}"`,
    claim_type: `"${s.claimType}"`,
    claim_amount: String(d.amount),
    service_date: `"${dayText(d.serviceDay)}"`,
    submission_date: `"${isoUtc(d.submittedAt)}"`,
  };
}

/** The valid line: the hot path. Same bytes as `renderClaim(claimJson(d))`. */
function renderValid(d: Draft): string {
  const s = d.provider.specialty;
  return (
    `{"claim_id":"${d.claimId}","patient_id":"${d.patient.id}","patient_age":${d.patient.age},"patient_gender":"${d.patient.gender}",` +
    `"provider_id":"${d.provider.id}","provider_specialty":"${s.id}","provider_region":"${d.provider.region.id}",` +
    `"procedure_code":"${d.procedure.code}","diagnosis_code":"${d.diagnosis}","claim_type":"${s.claimType}",` +
    `"claim_amount":${d.amount},"service_date":"${dayText(d.serviceDay)}","submission_date":"${isoUtc(d.submittedAt)}"}`
  );
}

function claimFacts(d: Draft): ClaimFacts {
  return {
    claimId: d.claimId,
    patientId: d.patient.id,
    age: d.patient.age,
    providerId: d.provider.id,
    procedureCode: d.procedure.code,
    amount: d.amount,
    serviceDate: dayText(d.serviceDay),
    submissionDay: Math.floor(d.submittedAt / DAY_MS),
    submittedAt: isoUtc(d.submittedAt),
  };
}

/**
 * Generates the stream lazily. Memory is constant in `count`: the PRNG, the provider pool (at most
 * 6,000), a ring of recent lines for duplicates and a few pending follow-up claims.
 *
 * @example
 * for (const { line, fraud } of generateClaims({ count: 1000, seed: 1, badRate: 0.05 })) out(line);
 */
export function* generateClaims(options: GeneratorOptions): Generator<ClaimLine, void, undefined> {
  const o = resolveGeneratorOptions(options);
  // Separate streams per concern, so e.g. a change to fraud planting never shifts which lines are bad.
  const rng = new Random(o.seed);
  const badRng = rng.derive('bad');
  const fraudRng = rng.derive('fraud');
  const patients = new PatientPool(o.seed, PatientPool.sizeFor(o.eventsPerSecond));
  const providers = new ProviderPool(rng.derive('providers'), ProviderPool.sizeFor(o.count));
  const followUps: FollowUp[] = [];
  let followUpNext = 0;
  const recent: RecentLine[] = [];
  let recentNext = 0;
  let validCount = 0;

  const idPrefix = `CLM-${new Date(o.startTime).getUTCFullYear()}-`;
  let claimNo = 0;
  const nextClaimId = (): string => {
    claimNo++;
    return idPrefix + String(claimNo).padStart(7, '0');
  };
  const meanGapMs = SECOND / o.eventsPerSecond;
  let clock = o.startTime;

  const price = (procedure: Procedure, provider: Provider, r: Random): number => {
    let amount = procedure.price * provider.region.priceFactor * provider.priceFactor * r.logNormal(1, 0.18);
    if (r.chance(COMPLEX_CASE_SHARE)) amount *= r.uniform(1.3, 2.2);
    return round2(amount);
  };
  const legitDelayDays = (r: Random): number => (r.chance(SLOW_BILLER_SHARE) ? r.int(20, 90) : Math.min(90, Math.floor(r.logNormal(3, 0.9))));
  /** The service day `delay` days before submission, moved back to Friday if the practice is closed at weekends. */
  const serviceDayFor = (submittedAt: number, delay: number, provider: Provider): number => {
    const day = Math.floor(submittedAt / DAY_MS) - delay;
    if (provider.weekends) return day;
    const dow = weekday(day);
    return dow === 6 ? day - 1 : dow === 0 ? day - 2 : day;
  };
  /** The most recent Saturday or Sunday at least `minDelay` days before the submission day. */
  const weekendDayBefore = (submittedAt: number, minDelay: number, r: Random): number => {
    let day = Math.floor(submittedAt / DAY_MS) - minDelay;
    while (weekday(day) !== 0 && weekday(day) !== 6) day--;
    return r.chance(0.5) && weekday(day) === 0 ? day - 1 : day;
  };

  const freshDraft = (submittedAt: number): Draft => {
    const patient = patients.at(patients.pickIndex(rng));
    const specialty = pickSpecialty(rng, patient, SPECIALTY_CHOICES);
    const provider = providers.pick(rng, specialty, patient.region);
    const procedure = (PROCEDURE_CHOICES.get(specialty) as WeightedChoices<Procedure>).at(rng.float());
    return {
      claimId: nextClaimId(),
      patient,
      provider,
      procedure,
      diagnosis: rng.pick(specialty.diagnoses),
      amount: price(procedure, provider, rng),
      serviceDay: serviceDayFor(submittedAt, legitDelayDays(rng), provider),
      submittedAt,
      fraud: undefined,
    };
  };

  /** A same-day companion claim (a lab draw after a visit) for the same patient and practice. */
  const companion =
    (parent: Draft): FollowUp =>
    (submittedAt) => {
      const procedure = (PROCEDURE_CHOICES.get(parent.provider.specialty) as WeightedChoices<Procedure>).at(rng.float());
      return { ...parent, claimId: nextClaimId(), procedure, amount: price(procedure, parent.provider, rng), submittedAt, fraud: undefined };
    };

  /** Turns a fresh draft into the first claim of a fraud pattern, queuing the pattern's follow-ups. */
  const plantFraud = (d: Draft, pattern: FraudPattern): Draft => {
    const r = fraudRng;
    switch (pattern) {
      case 'upcoding':
        return { ...d, amount: round2(d.amount * r.uniform(2.5, 6)), fraud: pattern };
      case 'stale_claim': {
        const serviceDay = serviceDayFor(d.submittedAt, r.int(120, 400), d.provider);
        return { ...d, serviceDay, amount: round2(d.amount * r.uniform(1, 2)), fraud: pattern };
      }
      case 'weekend_elective': {
        // Only a practice closed at weekends makes a weekend date suspicious; others upcode instead.
        if (d.provider.weekends) return plantFraud(d, 'upcoding');
        return { ...d, serviceDay: weekendDayBefore(d.submittedAt, r.int(1, 10), r), amount: round2(d.amount * r.uniform(1.5, 3)), fraud: pattern };
      }
      case 'patient_day_burst': {
        const procedures = PROCEDURE_CHOICES.get(d.provider.specialty) as WeightedChoices<Procedure>;
        const extra = r.int(3, 6);
        for (let i = 0; i < extra; i++) {
          followUps.push((submittedAt) => {
            const procedure = procedures.at(r.float());
            return { ...d, claimId: nextClaimId(), procedure, amount: price(procedure, d.provider, r), submittedAt, fraud: pattern };
          });
        }
        return { ...d, fraud: pattern };
      }
      case 'phantom_provider': {
        const provider = providers.phantom(r);
        const procedures = PROCEDURE_CHOICES.get(provider.specialty) as WeightedChoices<Procedure>;
        const bill = (submittedAt: number, claimId: string): Draft => {
          const procedure = procedures.at(r.float());
          const serviceDay = r.chance(0.5) ? weekendDayBefore(submittedAt, r.int(1, 6), r) : serviceDayFor(submittedAt, r.int(1, 6), provider);
          // Phantom bills name real patients the specialty could treat, so only the billing looks wrong.
          let patient = patients.at(r.int(0, patients.size - 1));
          const { ages, gender } = provider.specialty;
          for (let tries = 0; tries < 50 && (patient.age < ages[0] || patient.age > ages[1] || (gender !== undefined && patient.gender !== gender)); tries++) {
            patient = patients.at(r.int(0, patients.size - 1));
          }
          const diagnosis = r.pick(provider.specialty.diagnoses);
          return {
            ...d,
            claimId,
            patient,
            provider,
            procedure,
            diagnosis,
            amount: round2(price(procedure, provider, r) * r.uniform(1.8, 4)),
            serviceDay,
            submittedAt,
            fraud: pattern,
          };
        };
        const extra = r.int(2, 5);
        for (let i = 0; i < extra; i++) followUps.push((submittedAt) => bill(submittedAt, nextClaimId()));
        return bill(d.submittedAt, d.claimId);
      }
    }
  };

  for (let i = 0; i < o.count; i++) {
    const local = clock + EASTERN_OFFSET_MS;
    const rate = (HOURLY_RATE[Math.floor(local / 3_600_000) % 24] as number) * (WEEKDAY_RATE[weekday(Math.floor(local / DAY_MS))] as number);
    clock += rng.exponential(meanGapMs / rate);
    const now = Math.floor(clock / SECOND) * SECOND;

    if (rng.chance(o.badRate)) {
      if (recent.length > 0 && badRng.chance(DUPLICATE_SHARE_OF_BAD)) {
        const copy = recent[badRng.int(0, recent.length - 1)] as RecentLine;
        yield {
          topic: CLAIMS_TOPIC,
          line: copy.line,
          kind: 'duplicate',
          badReason: 'duplicate',
          key: copy.key,
          eventTime: copy.eventTime,
          pii: copy.pii,
          ...(copy.fraud !== undefined ? { fraud: true, fraudPattern: copy.fraud } : {}),
        };
        continue;
      }
      const d = freshDraft(now);
      const reason: ClaimBadReason = CLAIM_BAD_REASON_CHOICES.at(badRng.float());
      const line = corruptClaim(badRng, reason, claimJson(d), claimFacts(d));
      yield { topic: CLAIMS_TOPIC, line, kind: 'bad', badReason: reason, pii: line.includes(d.patient.id) ? [d.patient.id] : [] };
      continue;
    }

    let d: Draft;
    let kind: 'valid' | 'late' | 'out_of_order' = 'valid';
    if (followUpNext < followUps.length) {
      d = (followUps[followUpNext++] as FollowUp)(now);
      if (followUpNext === followUps.length) {
        followUps.length = 0;
        followUpNext = 0;
      }
    } else {
      const lag = rng.float();
      let submittedAt = now;
      if (lag < LATE_SHARE) {
        kind = 'late';
        submittedAt = now - Math.floor(rng.uniform(10 * MINUTE, 60 * MINUTE) / SECOND) * SECOND;
      } else if (lag < LATE_SHARE + OUT_OF_ORDER_SHARE) {
        kind = 'out_of_order';
        submittedAt = now - rng.int(1, 120) * SECOND;
      }
      d = freshDraft(submittedAt);
      if (fraudRng.chance(FRAUD_EVENT_SHARE)) d = plantFraud(d, FRAUD_CHOICES.at(fraudRng.float()));
      else if (rng.chance(COMPANION_SHARE)) followUps.push(companion(d));
    }
    const line = renderValid(d);
    const pii = [d.patient.id];
    if (kind === 'valid' && validCount++ % DUPLICATE_SAMPLE_EVERY === 0) {
      const entry: RecentLine = { line, key: d.claimId, eventTime: d.submittedAt, pii, fraud: d.fraud };
      if (recent.length < DUPLICATE_CANDIDATES) recent.push(entry);
      else recent[recentNext] = entry;
      recentNext = (recentNext + 1) % DUPLICATE_CANDIDATES;
    }
    yield {
      topic: CLAIMS_TOPIC,
      line,
      kind,
      key: d.claimId,
      eventTime: d.submittedAt,
      pii,
      ...(d.fraud !== undefined ? { fraud: true, fraudPattern: d.fraud } : {}),
    };
  }
}
