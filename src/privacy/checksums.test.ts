import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ibanCheckDigits, ibanLength, ibanValid, luhnCheckDigit, luhnValid, nhsCheckDigit, nhsValid, verhoeffCheckDigit, verhoeffValid } from './checksums.js';

describe('luhn', () => {
  it('accepts the published test card numbers', () => {
    assert.equal(luhnValid('4111 1111 1111 1111'), true);
    assert.equal(luhnValid('5500 0000 0000 0004'), true);
    assert.equal(luhnValid('378282246310005'), true);
    assert.equal(luhnValid('6011-0009-9013-9424'), true);
  });

  it('rejects a changed digit, letters and too-short input', () => {
    assert.equal(luhnValid('4111 1111 1111 1112'), false);
    assert.equal(luhnValid('378282246310006'), false);
    assert.equal(luhnValid('4111x1111'), false);
    assert.equal(luhnValid('0'), false);
  });

  it('computes the digit that completes a number', () => {
    assert.equal(luhnCheckDigit('411111111111111'), 1);
    assert.equal(luhnCheckDigit('37828224631000'), 5);
    assert.equal(luhnCheckDigit('7992739871'), 3); // the Wikipedia example
    for (const stem of ['4000 0000 0000 000', '510510510510510', '3530111333300']) {
      assert.equal(luhnValid(`${stem}${luhnCheckDigit(stem)}`), true, stem);
    }
    assert.throws(() => luhnCheckDigit('12a4'), TypeError);
  });
});

describe('verhoeff', () => {
  it('gives 3 for 236 (the textbook vector) and validates 2363', () => {
    assert.equal(verhoeffCheckDigit('236'), 3);
    assert.equal(verhoeffValid('2363'), true);
    assert.equal(verhoeffValid('2364'), false);
  });

  it('validates Aadhaar-shaped numbers with or without spaces', () => {
    assert.equal(verhoeffCheckDigit('23412341234'), 6);
    assert.equal(verhoeffValid('2341 2341 2346'), true);
    assert.equal(verhoeffValid('234123412346'), true);
    assert.equal(verhoeffValid('2341 2341 2345'), false);
  });

  it('matches other published vectors', () => {
    assert.equal(verhoeffCheckDigit('12345'), 1);
    assert.equal(verhoeffCheckDigit('142857'), 0);
    assert.equal(verhoeffCheckDigit('75872'), 2);
    assert.equal(verhoeffValid('1428570'), true);
  });

  it('catches every single-digit error and adjacent transposition of 500 random valid numbers', () => {
    let seed = 7;
    const nextDigit = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * 10);
    };
    for (let n = 0; n < 500; n++) {
      let payload = '';
      for (let i = 0; i < 11; i++) payload += nextDigit();
      const valid = `${payload}${verhoeffCheckDigit(payload)}`;
      assert.equal(verhoeffValid(valid), true, valid);
      for (let i = 0; i < valid.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) !== valid[i]) assert.equal(verhoeffValid(`${valid.slice(0, i)}${d}${valid.slice(i + 1)}`), false, `${valid} at ${i}`);
        }
        if (i + 1 < valid.length && valid[i] !== valid[i + 1]) {
          const swapped = `${valid.slice(0, i)}${valid[i + 1]}${valid[i]}${valid.slice(i + 2)}`;
          assert.equal(verhoeffValid(swapped), false, swapped);
        }
      }
    }
  });

  it('catches every single-digit error and adjacent transposition of a valid number', () => {
    const valid = '234123412346';
    for (let i = 0; i < valid.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const changed = `${valid.slice(0, i)}${d}${valid.slice(i + 1)}`;
        assert.equal(verhoeffValid(changed), false, changed);
      }
      if (i + 1 < valid.length && valid[i] !== valid[i + 1]) {
        const swapped = `${valid.slice(0, i)}${valid[i + 1]}${valid[i]}${valid.slice(i + 2)}`;
        assert.equal(verhoeffValid(swapped), false, swapped);
      }
    }
  });
});

describe('NHS modulus 11', () => {
  it('accepts the NHS Digital example 943 476 5919', () => {
    assert.equal(nhsCheckDigit('943476591'), 9);
    assert.equal(nhsValid('943 476 5919'), true);
    assert.equal(nhsValid('9434765919'), true);
    assert.equal(nhsValid('450 557 7104'), true);
  });

  it('rejects a wrong check digit, the wrong length, and stems whose check digit would be 10', () => {
    assert.equal(nhsValid('943 476 5918'), false);
    assert.equal(nhsValid('943 476 591'), false);
    assert.equal(nhsCheckDigit('123456789'), null);
    for (let d = 0; d <= 9; d++) assert.equal(nhsValid(`123456789${d}`), false);
    assert.throws(() => nhsCheckDigit('12345'), TypeError);
  });
});

describe('IBAN mod 97', () => {
  it('accepts the standard examples, spaced or not, upper or lower case', () => {
    assert.equal(ibanValid('GB82 WEST 1234 5698 7654 32'), true);
    assert.equal(ibanValid('GB82WEST12345698765432'), true);
    assert.equal(ibanValid('DE89370400440532013000'), true);
    assert.equal(ibanValid('DE89 3704 0044 0532 0130 00'), true);
    assert.equal(ibanValid('NL91ABNA0417164300'), true);
    assert.equal(ibanValid('FR1420041010050500013M02606'), true);
    assert.equal(ibanValid('gb82west12345698765432'), true);
  });

  it('rejects bad check digits, wrong lengths and unknown countries', () => {
    assert.equal(ibanValid('GB82 WEST 1234 5698 7654 33'), false);
    assert.equal(ibanValid('GB83 WEST 1234 5698 7654 32'), false);
    assert.equal(ibanValid('DE8937040044053201300'), false);
    assert.equal(ibanValid('XX82WEST12345698765432'), false);
    assert.equal(ibanValid('GB8'), false);
  });

  it('computes check digits that make a valid IBAN', () => {
    assert.equal(ibanCheckDigits('DE', '370400440532013000'), '89');
    assert.equal(ibanCheckDigits('GB', 'WEST12345698765432'), '82');
    assert.equal(ibanCheckDigits('NL', 'ABNA0417164300'), '91');
    assert.equal(ibanCheckDigits('FR', '20041010050500013M02606'), '14');
    assert.equal(ibanValid(`NO${ibanCheckDigits('NO', '86011117947')}86011117947`), true);
    assert.throws(() => ibanCheckDigits('G1', '1234'), TypeError);
  });

  it('knows the registry lengths', () => {
    assert.equal(ibanLength('GB'), 22);
    assert.equal(ibanLength('de'), 22);
    assert.equal(ibanLength('NO'), 15);
    assert.equal(ibanLength('IN'), undefined);
  });
});
