import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WELL_FORMED_KINDS } from '../../../src/generate/generator.js';
import { CLAIMS_TOPIC, PATIENT_ID } from '../claim-schema.js';
import { parseClaim } from '../steps.js';
import { validateClaim } from '../validate.js';
import { CLAIM_BAD_REASON_CHOICES } from './bad-records.js';
import { REGIONS, SPECIALTIES } from './catalog.js';
import { BAD_REASON_ERROR_TYPES, type ClaimLine, generateClaims, healthClaimsGenerator } from './index.js';
import { Rejection } from '../../../src/core/step.js';

const generate = (count: number, seed: string | number, badRate = 0.05): ClaimLine[] => [...generateClaims({ count, seed, badRate })];
const bytes = (lines: readonly ClaimLine[]): string => lines.map((l) => `${l.line}\n`).join('');

interface Claim {
  claim_id: string;
  patient_id: string;
  patient_age: number;
  patient_gender: string;
  provider_id: string;
  provider_specialty: string;
  provider_region: string;
  procedure_code: string;
  claim_amount: number;
  service_date: string;
  submission_date: string;
}

/** What the pipeline's parse and validate steps make of a line: null when it passes. */
function verdict(line: string): string | null {
  const rejection = { type: '' };
  const ctx = {
    envelope: { id: 'x', attributes: {}, publishTime: 0, receivedAt: 0, source: 't' },
    now: 0,
    pipeline: 'health-claims',
    reject: (type: string, message: string) => {
      rejection.type = type;
      return new Rejection(type, message);
    },
    filter: () => {
      throw new Error('unexpected filter');
    },
    setId: () => undefined,
  };
  const parsed = parseClaim(line, ctx);
  if (parsed instanceof Rejection) return parsed.errorType;
  const result = validateClaim(parsed as Record<string, unknown>);
  return result.ok ? null : result.errorType;
}

const RUN = generate(20_000, 'claims-test');
const WELL_FORMED = RUN.filter((l) => WELL_FORMED_KINDS.has(l.kind));
const CLAIMS = WELL_FORMED.map((l) => JSON.parse(l.line) as Claim);
const DAY = 86_400_000;

describe('health claims generator', () => {
  it('is deterministic: same options, same bytes; another seed, other bytes', () => {
    const a = bytes(generate(3000, 42));
    assert.equal(bytes(generate(3000, '42')), a);
    assert.notEqual(bytes(generate(3000, 43)), a);
    const iterable = healthClaimsGenerator.generate({ count: 500, seed: 1, badRate: 0.05 });
    assert.equal(bytes([...iterable] as ClaimLine[]), bytes([...iterable] as ClaimLine[]));
    assert.match(generate(1, 1, 0)[0]?.line ?? '', /"submission_date":"2026-11-01T00:0/);
  });

  it('writes exactly count lines on claims-ingest, each one line of text with a unique claim id', () => {
    assert.equal(RUN.length, 20_000);
    for (const l of RUN) {
      assert.equal(l.topic, CLAIMS_TOPIC);
      assert.ok(l.line.length > 0 && !/[\n\r]/.test(l.line));
    }
    const ids = new Set(CLAIMS.map((c) => c.claim_id));
    assert.equal(ids.size, CLAIMS.length);
    assert.equal(generate(0, 1).length, 0);
  });

  it('honours the bad rate, a fifth of it duplicates', () => {
    const bad = RUN.filter((l) => l.kind === 'bad' || l.kind === 'duplicate').length / RUN.length;
    assert.ok(Math.abs(bad - 0.05) < 0.005, `bad share ${bad}`);
    const duplicates = RUN.filter((l) => l.kind === 'duplicate').length / RUN.length;
    assert.ok(duplicates > 0.007 && duplicates < 0.013, `duplicate share ${duplicates}`);
    assert.equal(generate(5000, 'clean', 0).filter((l) => !WELL_FORMED_KINDS.has(l.kind)).length, 0);
  });

  it('makes well-formed lines the pipeline accepts, and duplicates byte-exact copies of them', () => {
    for (const l of WELL_FORMED) assert.equal(verdict(l.line), null, l.line);
    const valid = new Set(WELL_FORMED.map((l) => l.line));
    for (const l of RUN.filter((x) => x.kind === 'duplicate')) assert.ok(valid.has(l.line));
  });

  it('makes every bad line fail with the error type its corruption implies, and uses every corruption', () => {
    const seen = new Set<string>();
    for (const l of RUN.filter((x) => x.kind === 'bad')) {
      const reason = l.badReason as keyof typeof BAD_REASON_ERROR_TYPES;
      seen.add(reason);
      assert.equal(verdict(l.line), BAD_REASON_ERROR_TYPES[reason], `${reason}: ${l.line}`);
    }
    assert.deepEqual([...seen].sort(), [...CLAIM_BAD_REASON_CHOICES.items].sort());
  });

  it('draws realistic claims: every region and specialty, ages 0–100, heavy-tailed amounts, services before submission', () => {
    assert.deepEqual(new Set(CLAIMS.map((c) => c.provider_region)), new Set(REGIONS.map((r) => r.id)));
    assert.deepEqual(new Set(CLAIMS.map((c) => c.provider_specialty)), new Set(SPECIALTIES.map((s) => s.id)));
    const ages = CLAIMS.map((c) => c.patient_age);
    assert.ok(Math.min(...ages) === 0 && Math.max(...ages) <= 100);
    const amounts = CLAIMS.map((c) => c.claim_amount).sort((a, b) => a - b);
    const median = amounts[Math.floor(amounts.length / 2)] as number;
    const p99 = amounts[Math.floor(amounts.length * 0.99)] as number;
    assert.ok(median > 50 && median < 400, `median ${median}`);
    assert.ok(p99 > 20 * median, `heavy tail: p99 ${p99} vs median ${median}`);
    for (const c of CLAIMS) {
      assert.ok(Date.parse(c.service_date) <= Math.floor(Date.parse(c.submission_date) / DAY) * DAY, c.claim_id);
      if (c.provider_specialty === 'pediatrics') assert.ok(c.patient_age < 18, `${c.claim_id}: pediatrics for ${c.patient_age}`);
      if (c.provider_specialty === 'obstetrics') assert.equal(c.patient_gender, 'F');
    }
    const delays = CLAIMS.map((c) => (Date.parse(c.submission_date) - Date.parse(c.service_date)) / DAY).sort((a, b) => a - b);
    assert.ok((delays[Math.floor(delays.length / 2)] as number) < 7, 'most claims are submitted within days');
  });

  it('plants every fraud pattern on a few percent of valid claims, marked outside the payload', () => {
    const fraud = WELL_FORMED.filter((l) => l.fraud === true);
    const share = fraud.length / WELL_FORMED.length;
    assert.ok(share > 0.015 && share < 0.05, `fraud share ${share}`);
    assert.deepEqual(
      new Set(fraud.map((l) => l.fraudPattern)),
      new Set(['upcoding', 'phantom_provider', 'patient_day_burst', 'stale_claim', 'weekend_elective']),
    );
    for (const l of RUN) assert.ok(!/fraud/i.test(l.line));
    for (const l of WELL_FORMED) assert.equal(l.fraud === true, l.fraudPattern !== undefined);
  });

  it('makes planted fraud look like its pattern', () => {
    const byPattern = (p: string): Claim[] => WELL_FORMED.filter((l) => l.fraudPattern === p).map((l) => JSON.parse(l.line) as Claim);
    for (const c of byPattern('stale_claim')) assert.ok((Date.parse(c.submission_date) - Date.parse(c.service_date)) / DAY >= 120);
    for (const c of byPattern('weekend_elective')) assert.ok([0, 6].includes(new Date(c.service_date).getUTCDay()));
    const knownProviders = new Set(WELL_FORMED.filter((l) => l.fraud !== true).map((l) => (JSON.parse(l.line) as Claim).provider_id));
    for (const c of byPattern('phantom_provider')) assert.ok(!knownProviders.has(c.provider_id), c.provider_id);
    // A burst: one patient, one service day, four to seven claims.
    const bursts = new Map<string, number>();
    for (const c of byPattern('patient_day_burst')) bursts.set(`${c.patient_id}|${c.service_date}`, (bursts.get(`${c.patient_id}|${c.service_date}`) ?? 0) + 1);
    assert.ok([...bursts.values()].filter((n) => n >= 4).length >= bursts.size * 0.8, JSON.stringify([...bursts.values()]));
  });

  it('lists the raw patient id of every line that carries one, in the format the redactor masks', () => {
    for (const l of RUN) {
      const ids = l.line.match(new RegExp(PATIENT_ID.pattern.source, 'g')) ?? [];
      assert.deepEqual([...(l.pii ?? [])].sort(), [...new Set(ids)].sort(), l.line);
    }
    assert.ok(RUN.filter((l) => l.kind === 'bad' && (l.pii?.length ?? 0) > 0).length > 0.8 * RUN.filter((l) => l.kind === 'bad').length);
  });
});
