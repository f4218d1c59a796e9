import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ibanCheckDigits,
  isAadhaarValid,
  isIbanValid,
  isIndividualPan,
  isLuhnValid,
  isNhsValid,
  isNiValid,
  isSsnValid,
  isVerhoeffValid,
  luhnCheckDigit,
  mod97,
  nhsCheckDigit,
  verhoeffCheckDigit,
} from './checksums.js';

describe('checksums against published vectors', () => {
  it('Luhn', () => {
    assert.equal(luhnCheckDigit('411111111111111'), 1);
    assert.ok(isLuhnValid('4111111111111111'));
    assert.ok(isLuhnValid('4111 1111 1111 1111'));
    assert.ok(isLuhnValid('5555-5555-5555-4444'));
    assert.ok(isLuhnValid('79927398713'));
    assert.ok(!isLuhnValid('4111111111111112'));
    assert.ok(!isLuhnValid('79927398710'));
  });

  it('IBAN mod-97', () => {
    assert.ok(isIbanValid('GB82WEST12345698765432'));
    assert.ok(isIbanValid('GB82 WEST 1234 5698 7654 32'));
    assert.ok(isIbanValid('DE89370400440532013000'));
    assert.ok(!isIbanValid('GB83WEST12345698765432'));
    assert.ok(!isIbanValid('DE89370400440532013001'));
    assert.equal(ibanCheckDigits('GB', 'WEST12345698765432'), '82');
    assert.equal(ibanCheckDigits('DE', '370400440532013000'), '89');
    assert.equal(mod97('3704004405320130001314' + '89'), 1);
  });

  it('Verhoeff (Aadhaar)', () => {
    assert.equal(verhoeffCheckDigit('236'), 3);
    assert.ok(isVerhoeffValid('2363'));
    assert.equal(verhoeffCheckDigit('12345'), 1);
    assert.ok(isVerhoeffValid('123451'));
    assert.ok(!isVerhoeffValid('2364'));
    assert.ok(!isVerhoeffValid('123415')); // adjacent transposition is caught
    assert.ok(isAadhaarValid(`2345 6789 012${verhoeffCheckDigit('23456789012')}`));
    assert.ok(!isAadhaarValid(`1345 6789 012${verhoeffCheckDigit('13456789012')}`)); // Aadhaar never starts with 0 or 1
  });

  it('NHS modulus 11', () => {
    assert.ok(isNhsValid('9434765919'));
    assert.ok(isNhsValid('943 476 5919'));
    assert.equal(nhsCheckDigit('943476591'), 9);
    assert.ok(!isNhsValid('9434765918'));
    assert.equal(nhsCheckDigit('000000006'), null); // remainder makes the check 10: never issued
  });

  it('SSN, NI and PAN shape rules', () => {
    assert.ok(isSsnValid('123-45-6789'));
    for (const bad of ['000-12-3456', '666-12-3456', '912-12-3456', '123-00-4567', '123-45-0000']) assert.ok(!isSsnValid(bad), bad);
    assert.ok(isNiValid('AB123456C'));
    for (const bad of ['GB123456A', 'DA123456A', 'AO123456A', 'AB123456E', 'ZZ123456A']) assert.ok(!isNiValid(bad), bad);
    assert.ok(isIndividualPan('ABCPE1234F'));
    assert.ok(!isIndividualPan('ABCCE1234F'));
  });
});
