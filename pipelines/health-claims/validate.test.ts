import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorTypes } from '../../src/core/error-row.js';
import type { ClaimMessage } from './claim-schema.js';
import { validateClaim } from './validate.js';

const VALID = Object.freeze({
  claim_id: 'CLM-2026-0000001',
  patient_id: 'PAT-1234567',
  patient_age: 54,
  patient_gender: 'F',
  provider_id: 'PRV-10042',
  provider_specialty: 'cardiology',
  provider_region: 'west',
  procedure_code: '93306',
  diagnosis_code: 'I48.91',
  claim_type: 'professional',
  claim_amount: 642.18,
  service_date: '2026-10-28',
  submission_date: '2026-11-01T08:15:22.000Z',
});

const claim = (changes: Record<string, unknown>): ClaimMessage => {
  const record: Record<string, unknown> = { ...VALID, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete record[key];
  return record;
};

function assertPasses(changes: Record<string, unknown>): void {
  const result = validateClaim(claim(changes));
  assert.equal(result.ok, true, `${JSON.stringify(changes)} should pass: ${result.ok ? '' : result.message}`);
}

function assertFails(changes: Record<string, unknown>, errorType: string, message: RegExp): void {
  const result = validateClaim(claim(changes));
  assert.equal(result.ok, false, `${JSON.stringify(changes)} should fail`);
  if (!result.ok) {
    assert.equal(result.errorType, errorType, JSON.stringify(changes));
    assert.match(result.message, message);
  }
}

describe('validateClaim', () => {
  it('accepts a complete claim and returns it typed, dates parsed', () => {
    const result = validateClaim(VALID);
    assert.ok(result.ok);
    assert.deepEqual(result.claim, {
      claim_id: 'CLM-2026-0000001',
      patient_id: 'PAT-1234567',
      patient_age: 54,
      patient_gender: 'F',
      provider_id: 'PRV-10042',
      provider_specialty: 'cardiology',
      provider_region: 'west',
      procedure_code: '93306',
      diagnosis_code: 'I48.91',
      claim_type: 'professional',
      claim_amount: 642.18,
      service_date: '2026-10-28',
      service_day: Date.UTC(2026, 9, 28) / 86_400_000,
      submission_date: Date.UTC(2026, 10, 1, 8, 15, 22),
    });
  });

  describe('rule 1: required fields present', () => {
    for (const field of [
      'claim_id',
      'patient_id',
      'patient_age',
      'provider_id',
      'provider_region',
      'procedure_code',
      'claim_amount',
      'service_date',
      'submission_date',
    ]) {
      it(`${field}: absent, null or blank fails as missing_field`, () => {
        for (const missing of [undefined, null, '', '   ']) {
          assertFails({ [field]: missing }, ErrorTypes.missingField, new RegExp(`^required field ${field} is missing$`));
        }
      });
    }
    it('optional fields may be absent or null, and blank means null', () => {
      assertPasses({ patient_gender: undefined, provider_specialty: null, diagnosis_code: undefined, claim_type: null });
      const result = validateClaim(claim({ patient_gender: ' ', diagnosis_code: undefined }));
      assert.ok(result.ok);
      assert.equal(result.claim.patient_gender, null);
      assert.equal(result.claim.diagnosis_code, null);
    });
    it('mistyped fields fail as wrong_type, naming the field and the type but not the value', () => {
      assertFails({ claim_id: 12345 }, ErrorTypes.wrongType, /^claim_id is not text \(got number\)$/);
      assertFails({ patient_id: { id: 'PAT-1234567' } }, ErrorTypes.wrongType, /^patient_id is not text \(got object\)$/);
      assertFails({ claim_amount: '$642.18' }, ErrorTypes.wrongType, /^claim_amount is not a number \(got string\)$/);
      assertFails({ patient_age: '54' }, ErrorTypes.wrongType, /^patient_age is not a number \(got string\)$/);
      assertFails({ provider_specialty: 7 }, ErrorTypes.wrongType, /^provider_specialty is not text/);
      assertFails({ service_date: 20261028 }, ErrorTypes.wrongType, /^service_date is not a date string/);
      assertFails({ submission_date: true }, ErrorTypes.wrongType, /^submission_date is not a timestamp/);
      const result = validateClaim(claim({ claim_amount: '$642.18' }));
      assert.ok(!result.ok && !result.message.includes('642'));
    });
  });

  describe('rule 2: claim amount from 0 to 1,000,000', () => {
    it('passes at both bounds and between', () => {
      for (const amount of [0, 0.01, 642.18, 999_999.99, 1_000_000]) assertPasses({ claim_amount: amount });
    });
    it('fails below 0 and above 1,000,000', () => {
      for (const amount of [-0.01, -642.18, 1_000_000.01, 25_000_000]) {
        assertFails({ claim_amount: amount }, ErrorTypes.validation, /^claim_amount is outside 0 to 1,000,000$/);
      }
    });
  });

  describe('rule 3: patient age from 0 to 150', () => {
    it('passes whole ages at both bounds and between', () => {
      for (const age of [0, 1, 54, 149, 150]) assertPasses({ patient_age: age });
    });
    it('fails negative, above 150, or fractional ages', () => {
      for (const age of [-1, 151, 1958, 54.5]) {
        assertFails({ patient_age: age }, ErrorTypes.validation, /^patient_age is not a whole number from 0 to 150$/);
      }
    });
  });

  describe('rule 4: dates parse', () => {
    it('passes ISO dates and timestamps (and epoch ms for the submission)', () => {
      assertPasses({ service_date: '2026-02-28', submission_date: '2026-03-01' });
      assertPasses({ service_date: '2024-02-29', submission_date: '2024-03-01T00:00:00+05:30' });
      assertPasses({ submission_date: Date.UTC(2026, 10, 1) });
      const result = validateClaim(claim({ service_date: '2026-10-28T23:30:00-05:00' }));
      assert.ok(result.ok);
      assert.equal(result.claim.service_date, '2026-10-29', 'an ISO date-time keeps its UTC day');
    });
    it('fails service dates that are not real dates', () => {
      for (const bad of ['2026-02-30', '10/28/2026', 'N/A', '2026-13-01', 'yesterday']) {
        assertFails({ service_date: bad }, ErrorTypes.badTimestamp, /^service_date is not a valid date/);
      }
    });
    it('fails submission dates that are not real timestamps', () => {
      for (const bad of ['2026-11-31T10:00:00Z', '31/10/2026 10:00', 'not-a-date', '2026-11-01T25:00:00Z']) {
        assertFails({ submission_date: bad }, ErrorTypes.badTimestamp, /^submission_date is not a valid timestamp/);
      }
    });
  });

  describe('rule 5: the service date is not after the submission date', () => {
    it('passes on the same UTC day, even a service later that day', () => {
      assertPasses({ service_date: '2026-11-01', submission_date: '2026-11-01T00:00:00Z' });
      assertPasses({ service_date: '2026-11-01T20:00:00Z', submission_date: '2026-11-01T08:00:00Z' });
    });
    it('fails a service on a later day', () => {
      for (const service of ['2026-11-02', '2027-01-01']) {
        assertFails({ service_date: service }, ErrorTypes.validation, /^service_date is after submission_date$/);
      }
    });
  });

  it('reports the first broken rule only, so error groups stay stable', () => {
    assertFails({ claim_id: undefined, claim_amount: -1, service_date: 'N/A' }, ErrorTypes.missingField, /^required field claim_id is missing$/);
    assertFails({ claim_amount: -1, patient_age: 200 }, ErrorTypes.validation, /^claim_amount/);
  });

  it('trims identifiers and drops unknown fields', () => {
    const result = validateClaim({ ...VALID, claim_id: '  CLM-1 ', extra: 'x' } as ClaimMessage);
    assert.ok(result.ok);
    assert.equal(result.claim.claim_id, 'CLM-1');
    assert.equal('extra' in result.claim, false);
  });
});
