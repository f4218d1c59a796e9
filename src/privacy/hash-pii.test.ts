import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, SluiceError } from '../core/errors.js';
import { createPiiHasher, DEMO_PII_KEY, hashPiiFields, MissingPiiKeyError, piiHasherFromEnv } from './hash-pii.js';

describe('createPiiHasher', () => {
  it('matches the RFC 4231 HMAC-SHA-256 test vectors', () => {
    // Test case 2: a short key.
    assert.equal(createPiiHasher({ key: 'Jefe' }).hash('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    // Test case 6: a key longer than the block, which HMAC hashes first.
    assert.equal(
      createPiiHasher({ mode: 'hmac-sha256', key: Buffer.alloc(131, 0xaa) }).hash('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('equals crypto.createHmac for many values, including non-ASCII, lone surrogates and long values', () => {
    const key = 'a-secret-key';
    const hasher = createPiiHasher({ key });
    const values = ['CIT-0001', '+91 98450 12345', 'रमेश', 'ಕನ್ನಡ', '😀', 'x\ud800y', 'é'.repeat(339), 'é'.repeat(341), '9'.repeat(5000), ''];
    for (let i = 0; i < 200; i++) values.push(`citizen-${i}-${'ü'.repeat(i % 7)}`);
    for (const value of values) {
      assert.equal(hasher.hash(value), createHmac('sha256', key).update(value, 'utf8').digest('hex'), value.slice(0, 20));
    }
  });

  it('uses plain SHA-256 in sha256 mode, like the seed systems', () => {
    const hasher = createPiiHasher({ mode: 'sha256' });
    assert.equal(hasher.mode, 'sha256');
    assert.equal(hasher.hash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hasher.hash('CIT-42'), createHash('sha256').update('CIT-42').digest('hex'));
  });

  it('trims surrounding whitespace and nothing else', () => {
    const hasher = createPiiHasher({ key: 'k' });
    assert.equal(hasher.hash('  98450 12345\n'), hasher.hash('98450 12345'));
    assert.notEqual(hasher.hash('9845012345'), hasher.hash('98450 12345'));
    assert.notEqual(hasher.hash('CIT-1'), hasher.hash('cit-1'));
  });

  it('gives different hashes for different keys and works detached', () => {
    const { hash } = createPiiHasher({ key: 'one' });
    assert.match(hash('CIT-1'), /^[0-9a-f]{64}$/);
    assert.notEqual(hash('CIT-1'), createPiiHasher({ key: 'two' }).hash('CIT-1'));
  });

  it('refuses HMAC mode without a key', () => {
    assert.throws(() => createPiiHasher({}), MissingPiiKeyError);
    assert.throws(() => createPiiHasher({ key: '' }), MissingPiiKeyError);
  });
});

describe('piiHasherFromEnv', () => {
  it('defaults to HMAC-SHA-256 keyed by SLUICE_PII_KEY', () => {
    const hasher = piiHasherFromEnv({ SLUICE_PII_KEY: 'secret' });
    assert.equal(hasher.mode, 'hmac-sha256');
    assert.equal(hasher.hash('CIT-1'), createHmac('sha256', 'secret').update('CIT-1').digest('hex'));
  });

  it('throws MissingPiiKeyError with a stable code and advice when the key is missing', () => {
    for (const env of [{}, { SLUICE_PII_KEY: '' }, { SLUICE_PII_HASH: 'hmac-sha256' }]) {
      assert.throws(
        () => piiHasherFromEnv(env),
        (error: unknown) => {
          assert.ok(error instanceof MissingPiiKeyError);
          assert.ok(error instanceof SluiceError);
          assert.equal(error.name, 'MissingPiiKeyError');
          assert.equal(error.code, 'PII_KEY_MISSING');
          assert.match(error.message, /SLUICE_PII_KEY/);
          assert.match(error.message, /sluice demo/);
          return true;
        },
      );
    }
  });

  it('switches to plain SHA-256 with SLUICE_PII_HASH=sha256, key or not', () => {
    const hasher = piiHasherFromEnv({ SLUICE_PII_HASH: 'SHA256' });
    assert.equal(hasher.mode, 'sha256');
    assert.equal(hasher.hash('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('rejects an unknown mode', () => {
    assert.throws(() => piiHasherFromEnv({ SLUICE_PII_HASH: 'md5', SLUICE_PII_KEY: 'k' }), ConfigError);
  });

  it('accepts the demo key when it is passed explicitly', () => {
    assert.equal(piiHasherFromEnv({ SLUICE_PII_KEY: DEMO_PII_KEY }).hash('x'), createHmac('sha256', DEMO_PII_KEY).update('x').digest('hex'));
  });
});

describe('hashPiiFields', () => {
  const hasher = createPiiHasher({ key: 'k' });

  it('replaces citizen_id and phone by their hashes and removes the raw values', () => {
    const ticket: Record<string, unknown> = { ticket_id: 'T-1', citizen_id: 'CIT-0042', phone: '+91 98450 12345', ward: 'W-12' };
    const result = hashPiiFields(ticket, ['citizen_id', 'phone'], hasher);
    assert.equal(result, ticket);
    assert.deepEqual(ticket, {
      ticket_id: 'T-1',
      ward: 'W-12',
      citizen_id_hash: hasher.hash('CIT-0042'),
      phone_hash: hasher.hash('+91 98450 12345'),
    });
    assert.equal('citizen_id' in ticket, false);
    assert.equal('phone' in ticket, false);
    assert.doesNotMatch(JSON.stringify(ticket), /CIT-0042|98450/);
  });

  it('leaves absent and null fields alone and hashes numbers as text', () => {
    const record: Record<string, unknown> = { phone: null, aadhaar: 234123412346 };
    hashPiiFields(record, ['citizen_id', 'phone', 'aadhaar'], hasher);
    assert.deepEqual(record, { phone: null, aadhaar_hash: hasher.hash('234123412346') });
  });

  it('turns a blank value into a null hash instead of a hash shared by every blank', () => {
    const record: Record<string, unknown> = { phone: '   ' };
    hashPiiFields(record, ['phone'], hasher);
    assert.deepEqual(record, { phone_hash: null });
  });
});
