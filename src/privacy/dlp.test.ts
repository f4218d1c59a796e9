import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { verhoeffCheckDigit } from './checksums.js';
import { createDlpScanner, type DlpFinding, dlpScan, dlpScanAndMask, type InfoType, maskFindings } from './dlp.js';

/** The span of `value` in `text`, which must contain it exactly once. */
function spanOf(text: string, value: string): { start: number; end: number } {
  const start = text.indexOf(value);
  assert.ok(start >= 0, `"${value}" is not in "${text}"`);
  assert.equal(text.indexOf(value, start + 1), -1, `"${value}" occurs twice in "${text}"`);
  return { start, end: start + value.length };
}

/** Asserts that scanning `text` finds exactly `expected`, as [type, matched value] in order. */
function expectFindings(text: string, expected: ReadonlyArray<readonly [InfoType, string]>): void {
  assert.deepEqual(
    dlpScan(text),
    expected.map(([type, value]) => ({ type, ...spanOf(text, value) })),
    text,
  );
}

function expectNothing(texts: readonly string[]): void {
  for (const text of texts) assert.deepEqual(dlpScan(text), [], text);
}

/** Asserts that `text` yields no finding of `type` (other types may still match). */
function expectNoneOfType(type: InfoType, texts: readonly string[]): void {
  for (const text of texts) {
    assert.deepEqual(
      dlpScan(text).filter((f) => f.type === type),
      [],
      text,
    );
  }
}

describe('dlpScan: EMAIL_ADDRESS', () => {
  it('finds addresses with exact spans', () => {
    assert.deepEqual(dlpScan('Mail me at a.b@example.com today'), [{ type: 'EMAIL_ADDRESS', start: 11, end: 26 }]);
    expectFindings('contact: Ravi.Kumar+civic@mail.gov.in.', [['EMAIL_ADDRESS', 'Ravi.Kumar+civic@mail.gov.in']]);
    expectFindings('<priya_s@example.co.uk>', [['EMAIL_ADDRESS', 'priya_s@example.co.uk']]);
    expectFindings('ई-मेल: ramesh99@gmail.com पर भेजें', [['EMAIL_ADDRESS', 'ramesh99@gmail.com']]);
  });

  it('ignores things that only look like addresses', () => {
    expectNothing(['meet @ 5pm', 'user@localhost', 'a@b.c', 'follow @bbmp_official', 'x@.com', 'end.@example']);
  });
});

describe('dlpScan: PHONE_NUMBER', () => {
  it('finds Indian mobiles in every usual form', () => {
    assert.deepEqual(dlpScan('call +91 98765 43210 now'), [{ type: 'PHONE_NUMBER', start: 5, end: 20 }]);
    expectFindings('my number is 9876543210, call after 6', [['PHONE_NUMBER', '9876543210']]);
    expectFindings('Mob: +91-9876543210.', [['PHONE_NUMBER', '+91-9876543210']]);
    expectFindings('ring 98450 12345 please', [['PHONE_NUMBER', '98450 12345']]);
    expectFindings('or 09876543210', [['PHONE_NUMBER', '09876543210']]);
  });

  it('finds international, North American and UK numbers', () => {
    expectFindings('London office +44 20 7946 0958 (weekdays)', [['PHONE_NUMBER', '+44 20 7946 0958']]);
    expectFindings('SF: +1 (415) 555-0132', [['PHONE_NUMBER', '+1 (415) 555-0132']]);
    expectFindings('call (415) 555-0132 or 415-555-0133', [
      ['PHONE_NUMBER', '(415) 555-0132'],
      ['PHONE_NUMBER', '415-555-0133'],
    ]);
    expectFindings('landline 020 7946 0958, mobile 07700 900123.', [
      ['PHONE_NUMBER', '020 7946 0958'],
      ['PHONE_NUMBER', '07700 900123'],
    ]);
    expectFindings('BBMP office 080-2222 3333', [['PHONE_NUMBER', '080-2222 3333']]);
  });

  it('finds numbers written straight after Indic text, with UTF-16 offsets', () => {
    expectFindings('मेरा नंबर9876543210 है', [['PHONE_NUMBER', '9876543210']]);
    // The emoji is two UTF-16 code units.
    assert.deepEqual(dlpScan('😀 9876543210'), [{ type: 'PHONE_NUMBER', start: 3, end: 13 }]);
  });

  it('ignores amounts, dates, codes and numbers inside longer runs', () => {
    expectNothing([
      'Rs. 1500 paid',
      'paid ₹2,50,000 on 2024-01-15',
      'order ORD-2024-000123 and ORD-9876543210',
      'invoice INV/2024/00017, order #45821',
      'ticket no. 1234567, pincode 560001',
      'on 15/01/2024 10:30 at ward 12',
      'serial 98765432101234',
      'code X9876543210',
      'ratio 0.9876543210',
    ]);
  });
});

describe('dlpScan: CREDIT_CARD_NUMBER', () => {
  it('finds Luhn-valid numbers with plausible issuers, spaced, dashed or plain', () => {
    expectFindings('card 4111 1111 1111 1111 was charged twice', [['CREDIT_CARD_NUMBER', '4111 1111 1111 1111']]);
    expectFindings('MC 5500-0000-0000-0004.', [['CREDIT_CARD_NUMBER', '5500-0000-0000-0004']]);
    expectFindings('amex 378282246310005 exp 12/27', [['CREDIT_CARD_NUMBER', '378282246310005']]);
    expectFindings('discover 6011000990139424', [['CREDIT_CARD_NUMBER', '6011000990139424']]);
  });

  it('rejects Luhn failures, impossible issuers and longer runs', () => {
    expectNoneOfType('CREDIT_CARD_NUMBER', [
      'card 4111 1111 1111 1112',
      'card 5500 0000 0000 0005',
      'id 1234 5678 9012 3452', // Luhn-valid, but no scheme starts with 1
      'ref 4111 1111 1111 1111 1111 1111',
    ]);
  });

  it('is not also reported as a phone number', () => {
    expectFindings('pay 6011 0009 9013 9424 now', [['CREDIT_CARD_NUMBER', '6011 0009 9013 9424']]);
    expectFindings('pay 4111111111111111 now', [['CREDIT_CARD_NUMBER', '4111111111111111']]);
  });
});

describe('dlpScan: IBAN_CODE', () => {
  it('finds IBANs spaced in fours or unspaced', () => {
    expectFindings('IBAN GB82 WEST 1234 5698 7654 32.', [['IBAN_CODE', 'GB82 WEST 1234 5698 7654 32']]);
    expectFindings('to DE89370400440532013000 by Friday', [['IBAN_CODE', 'DE89370400440532013000']]);
    expectFindings('NL91 ABNA 0417 1643 00 (ABN)', [['IBAN_CODE', 'NL91 ABNA 0417 1643 00']]);
  });

  it('stops at the country length when an upper-case word follows', () => {
    expectFindings('pay to BE68 5390 0754 7034 THEN call', [['IBAN_CODE', 'BE68 5390 0754 7034']]);
  });

  it('rejects bad check digits, wrong lengths and unknown countries', () => {
    expectNoneOfType('IBAN_CODE', [
      'IBAN GB82 WEST 1234 5698 7654 33',
      'IBAN GB83 WEST 1234 5698 7654 32',
      'IBAN GB82 WEST 1234 5698 7654 3',
      'IBAN XX82 WEST 1234 5698 7654 32',
      'iban gb82 west 1234 5698 7654 32',
    ]);
  });
});

describe('dlpScan: IP_ADDRESS', () => {
  it('finds IPv4 addresses', () => {
    expectFindings('router 192.168.1.10 is down', [['IP_ADDRESS', '192.168.1.10']]);
    expectFindings('blocked from 10.0.0.1.', [['IP_ADDRESS', '10.0.0.1']]);
    expectFindings('255.255.255.255 and 0.0.0.0', [
      ['IP_ADDRESS', '255.255.255.255'],
      ['IP_ADDRESS', '0.0.0.0'],
    ]);
  });

  it('finds IPv6 addresses in full, compressed and mapped forms', () => {
    expectFindings('loopback ::1 only', [['IP_ADDRESS', '::1']]);
    expectFindings('link fe80::1, gateway', [['IP_ADDRESS', 'fe80::1']]);
    expectFindings('host 2001:db8::8a2e:370:7334 replied', [['IP_ADDRESS', '2001:db8::8a2e:370:7334']]);
    expectFindings('full 2001:0db8:85a3:0000:0000:8a2e:0370:7334.', [['IP_ADDRESS', '2001:0db8:85a3:0000:0000:8a2e:0370:7334']]);
    expectFindings('ip:FE80::ABCD:1 failed', [['IP_ADDRESS', 'FE80::ABCD:1']]);
    expectFindings('mapped ::ffff:192.0.2.1 seen', [['IP_ADDRESS', '::ffff:192.0.2.1']]);
    expectFindings('from fe80::1: denied', [['IP_ADDRESS', 'fe80::1']]);
  });

  it('rejects out-of-range octets, longer dotted numbers, times and malformed IPv6', () => {
    expectNothing([
      'bad 256.1.1.1',
      'bad 192.168.1.256',
      'dotted 1.2.3.4.5',
      'build v1.2.3.4',
      'leading zero 01.2.3.4',
      'at 10:30:45',
      'use std::vector',
      'just :: here',
      'twice 1::2::3',
      'nine 1:2:3:4:5:6:7:8:9',
      'short 1:2:3:4:5:6:7',
    ]);
  });
});

describe('dlpScan: INDIA_AADHAAR', () => {
  it('finds Verhoeff-valid numbers, grouped or plain', () => {
    expectFindings('Aadhaar 2341 2341 2346 given', [['INDIA_AADHAAR', '2341 2341 2346']]);
    expectFindings('UID:234123412346.', [['INDIA_AADHAAR', '234123412346']]);
    expectFindings('आधार 2341-2341-2346', [['INDIA_AADHAAR', '2341-2341-2346']]);
  });

  it('is not also reported as a phone number', () => {
    expectFindings('aadhaar 987654321012 pls', [['INDIA_AADHAAR', '987654321012']]);
    expectFindings('aadhaar 9876 5432 1012 pls', [['INDIA_AADHAAR', '9876 5432 1012']]);
  });

  it('rejects Verhoeff failures, a leading 0 or 1, mixed grouping and longer runs', () => {
    const startsWithOne = `13412341234${verhoeffCheckDigit('13412341234')}`;
    expectNothing(['aadhaar 2341 2341 2345', `aadhaar ${startsWithOne}`, 'aadhaar 2341 2341-2346', 'ref 2341 2341 2346 7890', 'ref 92341 2341 2346']);
  });
});

describe('dlpScan: INDIA_PAN', () => {
  it('finds PANs', () => {
    expectFindings('PAN AAAPL1234C on file', [['INDIA_PAN', 'AAAPL1234C']]);
    expectFindings('pan:ABCPE1234F.', [['INDIA_PAN', 'ABCPE1234F']]);
  });

  it('rejects a bad holder-type letter, lower case and longer codes', () => {
    expectNothing(['PAN AAAXL1234C', 'pan aaapl1234c', 'code AAAPL1234C5', 'code XAAAPL1234C', 'code AAAPL12345']);
  });
});

describe('dlpScan: US_SOCIAL_SECURITY_NUMBER', () => {
  it('finds SSNs in issued ranges', () => {
    assert.deepEqual(dlpScan('SSN 123-45-6789.'), [{ type: 'US_SOCIAL_SECURITY_NUMBER', start: 4, end: 15 }]);
    expectFindings('ssn: 665-12-3456 and 899-99-9999', [
      ['US_SOCIAL_SECURITY_NUMBER', '665-12-3456'],
      ['US_SOCIAL_SECURITY_NUMBER', '899-99-9999'],
    ]);
  });

  it('rejects area 000, 666 and 900–999, group 00, serial 0000, and other shapes', () => {
    expectNothing([
      'ssn 000-12-3456',
      'ssn 666-12-3456',
      'ssn 900-12-3456',
      'ssn 999-12-3456',
      'ssn 123-00-4567',
      'ssn 123-45-0000',
      'ssn 123456789',
      'ref 123-45-67890',
      'ref A123-45-6789',
    ]);
  });
});

describe('dlpScan: UK_NHS_NUMBER', () => {
  it('finds mod-11-valid numbers; written 3-3-4 they win over a phone reading', () => {
    expectFindings('NHS no. 943 476 5919, GP surgery', [['UK_NHS_NUMBER', '943 476 5919']]);
    expectFindings('nhs 450 557 7104', [['UK_NHS_NUMBER', '450 557 7104']]);
    expectFindings('nhs 401-023-2137', [['UK_NHS_NUMBER', '401-023-2137']]);
    expectFindings('nhs 4505577104', [['UK_NHS_NUMBER', '4505577104']]);
  });

  it('loses to a phone reading when written as a plain run that looks like an Indian mobile', () => {
    expectFindings('call 9434765919', [['PHONE_NUMBER', '9434765919']]);
    assert.deepEqual(dlpScan('call 9434765919', { infoTypes: ['UK_NHS_NUMBER'] }), [{ type: 'UK_NHS_NUMBER', start: 5, end: 15 }]);
  });

  it('rejects mod-11 failures, check digit 10, repeated digits and longer runs', () => {
    expectNothing(['nhs 401 023 2138', 'nhs 123 456 7890', 'nhs 000 000 0000', 'ref 401 023 2137 5']);
  });
});

describe('dlpScan: UK_NATIONAL_INSURANCE_NUMBER', () => {
  it('finds NI numbers plain or spaced in pairs', () => {
    expectFindings('NI AB123456C.', [['UK_NATIONAL_INSURANCE_NUMBER', 'AB123456C']]);
    expectFindings('NINO: AB 12 34 56 C (HMRC)', [['UK_NATIONAL_INSURANCE_NUMBER', 'AB 12 34 56 C']]);
    expectFindings('ni JG103759A', [['UK_NATIONAL_INSURANCE_NUMBER', 'JG103759A']]);
  });

  it('rejects invalid prefixes and suffixes', () => {
    expectNothing([
      'DA123456C', // D first
      'FA123456C',
      'IA123456C',
      'QA123456C',
      'UA123456C',
      'VA123456C',
      'AD123456C', // D second
      'AO123456C', // O second
      'BG123456A', // administrative prefixes
      'GB123456A',
      'NK123456A',
      'KN123456A',
      'TN123456A',
      'NT123456A',
      'ZZ123456A',
      'AB123456E', // suffix beyond D
      'AB 12 3456 C', // mixed spacing
      'XAB123456C',
    ]);
  });
});

describe('dlpScan: ordinary text', () => {
  it('finds nothing in descriptions with amounts, dates, times and reference numbers', () => {
    expectNothing([
      '',
      'Garbage not collected in ward 12 since 2024-01-15; smell is terrible.',
      'Street light on 5th Cross, 2nd Main off for 3 weeks. Rs. 1500 charged for 2000 litres.',
      'Pothole 2 ft wide near bus stop no. 14 on MG Road, reported 15/01/2024 at 10:30 am.',
      'Complaint ref ORD-2024-000123, earlier ticket #45821, invoice INV/2024/00017.',
      'Meeting at 2024-01-15T10:30:00Z, version 1.2.3, temperature 38.5°C, 1,00,000 litres.',
      'मेरे घर के सामने सड़क पर बड़ा गड्ढा है, पिछले 10 दिनों से कोई मरम्मत नहीं हुई।',
      'ನಮ್ಮ ಬಡಾವಣೆಯಲ್ಲಿ ಕಸ ಸಂಗ್ರಹಣೆ ಕಳೆದ ಒಂದು ವಾರದಿಂದ ಆಗಿಲ್ಲ.',
    ]);
  });
});

describe('dlpScan: several findings and precedence', () => {
  it('returns findings of different types sorted by start', () => {
    const text = 'Refund to 4111 1111 1111 1111, mail ravi@example.com or call +91 98450 12345; PAN AAAPL1234C, IP 10.1.2.3';
    expectFindings(text, [
      ['CREDIT_CARD_NUMBER', '4111 1111 1111 1111'],
      ['EMAIL_ADDRESS', 'ravi@example.com'],
      ['PHONE_NUMBER', '+91 98450 12345'],
      ['INDIA_PAN', 'AAAPL1234C'],
      ['IP_ADDRESS', '10.1.2.3'],
    ]);
  });

  it('reports an email address with a phone-like local part once, as an email', () => {
    expectFindings('upi 9876543210@upi.example.com', [['EMAIL_ADDRESS', '9876543210@upi.example.com']]);
  });

  it('never returns overlapping findings', () => {
    const text = 'ids 2341 2341 2346, 943 476 5919, 9876543210, 4111-1111-1111-1111, 123-45-6789, GB82WEST12345698765432';
    const findings = dlpScan(text);
    assert.equal(findings.length, 6);
    for (let i = 1; i < findings.length; i++) {
      assert.ok((findings[i] as DlpFinding).start >= (findings[i - 1] as DlpFinding).end);
    }
  });

  it('limits the scan to the requested info types', () => {
    const text = 'mail a@example.com or call 9876543210';
    expectFindings(text, [
      ['EMAIL_ADDRESS', 'a@example.com'],
      ['PHONE_NUMBER', '9876543210'],
    ]);
    assert.deepEqual(dlpScan(text, { infoTypes: ['PHONE_NUMBER'] }), [{ type: 'PHONE_NUMBER', ...spanOf(text, '9876543210') }]);
    assert.deepEqual(dlpScan(text, { infoTypes: [] }), []);
  });

  it('rejects unknown info types as a configuration error', () => {
    assert.throws(() => createDlpScanner({ infoTypes: ['PASSPORT' as InfoType] }), ConfigError);
  });
});

describe('dlpScan: hostile input', () => {
  it('stays linear on long digit runs, plus signs and colon runs (no catastrophic backtracking)', () => {
    const texts = [
      `+1 ${'2'.repeat(40)} `.repeat(500),
      '9'.repeat(50_000),
      `${'abcd:'.repeat(5000)}::`,
      `${`${'a'.repeat(100)}.`.repeat(100)}@${`${'b'.repeat(70)}.`.repeat(100)}`,
    ];
    const started = performance.now();
    for (const text of texts) dlpScan(text);
    // Measured ~15 ms in total; a backtracking regression costs seconds.
    assert.ok(performance.now() - started < 1000);
  });
});

describe('createDlpScanner', () => {
  it('scans like dlpScan, and its scan works detached', () => {
    const scanner = createDlpScanner({ infoTypes: ['EMAIL_ADDRESS', 'IP_ADDRESS'] });
    const { scan } = scanner;
    assert.deepEqual(scanner.infoTypes, ['EMAIL_ADDRESS', 'IP_ADDRESS']);
    assert.deepEqual(scan('a@example.com from 10.0.0.1, call 9876543210'), [
      { type: 'EMAIL_ADDRESS', start: 0, end: 13 },
      { type: 'IP_ADDRESS', start: 19, end: 27 },
    ]);
  });

  it('keeps results of earlier calls intact', () => {
    const scanner = createDlpScanner();
    const first = scanner.scan('call 9876543210 or 9876543211');
    scanner.scan('nothing here');
    scanner.scan('a@example.com and b@example.com and 10.0.0.1');
    assert.deepEqual(first, [
      { type: 'PHONE_NUMBER', start: 5, end: 15 },
      { type: 'PHONE_NUMBER', start: 19, end: 29 },
    ]);
  });
});

describe('maskFindings and dlpScanAndMask', () => {
  it('replaces each finding by [TYPE] by default', () => {
    const text = 'call +91 98765 43210 or mail a.b@example.com';
    assert.equal(maskFindings(text, dlpScan(text)), 'call [PHONE_NUMBER] or mail [EMAIL_ADDRESS]');
  });

  it('uses a custom mask', () => {
    const text = 'SSN 123-45-6789';
    assert.equal(
      maskFindings(text, dlpScan(text), (f) => '#'.repeat(f.end - f.start)),
      'SSN ###########',
    );
  });

  it('returns the text unchanged without findings, and copes with unsorted or overlapping input', () => {
    assert.equal(maskFindings('plain', []), 'plain');
    const unsorted: DlpFinding[] = [
      { type: 'PHONE_NUMBER', start: 6, end: 9 },
      { type: 'EMAIL_ADDRESS', start: 0, end: 3 },
      { type: 'IP_ADDRESS', start: 7, end: 10 },
    ];
    assert.equal(maskFindings('abc + def ghi', unsorted), '[EMAIL_ADDRESS] + [PHONE_NUMBER] ghi');
  });

  it('scans and masks in one call', () => {
    assert.deepEqual(dlpScanAndMask('SSN 123-45-6789'), {
      findings: [{ type: 'US_SOCIAL_SECURITY_NUMBER', start: 4, end: 15 }],
      masked: 'SSN [US_SOCIAL_SECURITY_NUMBER]',
    });
    assert.deepEqual(dlpScanAndMask('nothing'), { findings: [], masked: 'nothing' });
  });
});
