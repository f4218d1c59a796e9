import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random } from '../../../src/generate/random.js';
import { isAadhaarValid, isIbanValid, isIndividualPan, isLuhnValid, isNhsValid, isNiValid, isSsnValid } from './checksums.js';
import type { Language } from './descriptions.js';
import { PII_VARIANTS, PiiPlanter, type PiiType, piiSentence } from './pii.js';

/** What a planted value of each type must satisfy for a checksum-validating DLP detector to find it. */
const VALID: Record<PiiType, (v: string) => boolean> = {
  email: (v) => /^[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(v),
  phone: (v) => /^(\+91 98\d{3} \d{5}|98\d{8}|\+44 20 7946 0\d{3}|\(415\) 555-01\d{2})$/.test(v),
  credit_card: (v) => /^(\d{4}[ -]?){3}\d{4}$/.test(v) && isLuhnValid(v),
  iban: (v) => /^(GB|DE)/.test(v) && isIbanValid(v),
  ip_address: (v) =>
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v) ? v.split('.').every((o) => Number(o) <= 255) : /^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$/.test(v),
  aadhaar: (v) => /^[2-9]\d{3} \d{4} \d{4}$/.test(v) && isAadhaarValid(v),
  pan: isIndividualPan,
  us_ssn: isSsnValid,
  uk_nhs: (v) => /^\d{3} \d{3} \d{4}$/.test(v) && isNhsValid(v),
  uk_ni: isNiValid,
};

describe('planted personal data', () => {
  it('every variant makes values valid for their checksum or issuing rules', () => {
    const rng = new Random('pii');
    for (const variant of PII_VARIANTS) {
      for (let i = 0; i < 2_000; i++) {
        const value = variant.make(rng);
        assert.ok(VALID[variant.type](value), `${variant.name}: ${value}`);
        assert.doesNotMatch(value, /["\\\n]/);
      }
    }
  });

  it('covers every required info type', () => {
    const types = new Set(PII_VARIANTS.map((v) => v.type));
    assert.deepEqual([...types].sort(), ['aadhaar', 'credit_card', 'email', 'iban', 'ip_address', 'pan', 'phone', 'uk_nhs', 'uk_ni', 'us_ssn']);
    const names = new Set(PII_VARIANTS.map((v) => v.name));
    for (const name of ['phone_in_intl', 'phone_in_local', 'phone_uk', 'phone_us', 'ipv4', 'ipv6', 'iban_gb', 'iban_de']) assert.ok(names.has(name), name);
  });

  it('sentences carry the value between word boundaries in every language', () => {
    const rng = new Random('sentences');
    for (const language of ['en', 'hi', 'kn', 'ta', 'es'] as Language[]) {
      for (const variant of PII_VARIANTS) {
        const value = variant.make(rng);
        const text = piiSentence(rng, language, variant.type, value);
        const at = text.indexOf(value);
        assert.ok(at >= 0, text);
        assert.ok(at === 0 || text[at - 1] === ' ', text);
        assert.match(text.slice(at + value.length), /^($|[ ,.!?।])/u, text);
      }
    }
  });

  it('the planter cycles through every variant before repeating one', () => {
    const planter = new PiiPlanter(new Random('cycle'));
    for (let cycle = 0; cycle < 3; cycle++) {
      const names = Array.from({ length: PII_VARIANTS.length }, () => planter.next().name);
      assert.equal(new Set(names).size, PII_VARIANTS.length);
    }
  });
});
