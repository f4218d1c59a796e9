import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorTypes } from '../../src/core/error-row.js';
import { Filtered, Rejection, type StepContext } from '../../src/core/step.js';
import type { EnrichedClaim, HashedClaim, ValidClaim } from './claim-schema.js';
import { enrichClaims, hashClaimPii, parseClaim, validateClaimStep } from './steps.js';

/** A step context that records setId and rejections. */
function context(now = Date.UTC(2026, 10, 22, 12)): StepContext & { ids: string[] } {
  const ids: string[] = [];
  return {
    ids,
    envelope: { id: 'm-1', attributes: {}, publishTime: 0, receivedAt: 0, source: 'test' },
    now,
    pipeline: 'health-claims',
    reject: (type, message) => new Rejection(type, message),
    filter: (reason) => new Filtered(reason ?? 'filtered'),
    setId: (id) => {
      ids.push(id);
    },
  };
}

const DAY = 86_400_000;

function hashed(overrides: Partial<HashedClaim> = {}): HashedClaim {
  return {
    claim_id: 'CLM-1',
    patient_id_hash: 'f'.repeat(64),
    patient_age: 54,
    patient_gender: 'F',
    provider_id: 'PRV-10042',
    provider_specialty: 'cardiology',
    provider_region: 'west',
    procedure_code: '93306',
    diagnosis_code: null,
    claim_type: 'professional',
    claim_amount: 620,
    service_date: '2026-10-28',
    service_day: Date.UTC(2026, 9, 28) / DAY,
    submission_date: Date.UTC(2026, 10, 1, 8, 15, 22),
    ...overrides,
  };
}

describe('parseClaim', () => {
  it('rejects malformed JSON with one fixed message, whatever the position', () => {
    for (const bad of ['{"claim_id":"C', 'not json', '{"a":1}}', "{'claim_id': 'C1'}"]) {
      const result = parseClaim(bad, context());
      assert.ok(result instanceof Rejection, bad);
      assert.equal(result.errorType, ErrorTypes.invalidJson);
      assert.equal(result.message, 'payload is not valid JSON');
    }
  });

  it('rejects JSON that is not an object', () => {
    for (const bad of ['[1,2]', 'null', '42', '"claim"']) {
      const result = parseClaim(bad, context());
      assert.ok(result instanceof Rejection, bad);
      assert.equal(result.message, 'payload is JSON but not an object');
    }
  });

  it('makes a usable claim_id the idempotency key, and leaves others alone', () => {
    const ctx = context();
    parseClaim('{"claim_id":" CLM-7 "}', ctx);
    parseClaim('{"claim_id":7}', ctx);
    parseClaim('{"claim_id":""}', ctx);
    parseClaim('{}', ctx);
    assert.deepEqual(ctx.ids, ['CLM-7']);
  });
});

describe('validateClaimStep', () => {
  it('turns a failed rule into a rejection of the rule’s type', () => {
    const result = validateClaimStep({ claim_id: 'C1' }, context());
    assert.ok(result instanceof Rejection);
    assert.equal(result.errorType, ErrorTypes.missingField);
    assert.equal(result.message, 'required field patient_id is missing');
  });
});

describe('hashClaimPii', () => {
  it('replaces the patient id by its hash and keeps nothing of the raw value', () => {
    const claim: ValidClaim = { ...hashed(), patient_id: 'PAT-1234567' } as unknown as ValidClaim;
    delete (claim as unknown as Record<string, unknown>).patient_id_hash;
    const out = hashClaimPii((v) => `h(${v.length})`)(claim, context()) as HashedClaim;
    assert.equal(out.patient_id_hash, 'h(11)');
    assert.equal('patient_id' in out, false);
    assert.ok(!JSON.stringify(out).includes('PAT-1234567'));
  });
});

describe('enrichClaims', () => {
  it('adds days_to_submission, the score, the flag, the processing time and the day partition', () => {
    const ctx = context();
    const out = enrichClaims()(hashed(), ctx) as EnrichedClaim;
    assert.equal(out.days_to_submission, 4);
    assert.equal(out.processing_timestamp, ctx.now);
    assert.equal(out.day, '2026-11-01');
    // A provider seen for the first time is the only signal on an otherwise ordinary claim.
    assert.deepEqual(out.risk_factors, ['new_provider']);
    assert.equal(out.fraud_risk_score, 0.25);
    assert.equal(out.high_risk_flag, false);
  });

  it('counts whole UTC days: a late-evening service submitted next morning is one day', () => {
    const out = enrichClaims()(hashed({ service_day: Date.UTC(2026, 9, 31) / DAY, submission_date: Date.UTC(2026, 10, 1, 0, 30) }), context()) as EnrichedClaim;
    assert.equal(out.days_to_submission, 1);
  });

  it('scores from the claims before, in input order, with state per pipeline build', () => {
    const enrich = enrichClaims();
    const ctx = context();
    let last: EnrichedClaim | undefined;
    for (let i = 0; i < 5; i++) last = enrich(hashed({ claim_id: `C${i}`, procedure_code: `P${i}` }), ctx) as EnrichedClaim;
    assert.ok(last !== undefined);
    assert.deepEqual(last.risk_factors, ['patient_day_volume'], 'the fifth claim for the patient that day');
    assert.equal(last.high_risk_flag, true);
    // A fresh step has no history: the same claim is ordinary again (bar the new provider).
    assert.deepEqual((enrichClaims()(hashed({ claim_id: 'C4', procedure_code: 'P4' }), ctx) as EnrichedClaim).risk_factors, ['new_provider']);
  });

  it('flags weekend service from the service date’s weekday', () => {
    // 2026-10-31 was a Saturday.
    const out = enrichClaims()(hashed({ service_date: '2026-10-31', service_day: Date.UTC(2026, 9, 31) / DAY }), context()) as EnrichedClaim;
    assert.deepEqual(out.risk_factors, ['weekend_service', 'new_provider']);
  });
});
