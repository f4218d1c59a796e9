import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPayloadRedactor } from './redact-payload.js';

const redact = createPayloadRedactor({
  piiFields: ['citizen_id', 'phone'],
  hash: (v) => `h(${v.length})`,
  customInfoTypes: [{ name: 'CITIZEN_ID', pattern: /\bCIT-\d{6,}\b/ }],
});

describe('createPayloadRedactor', () => {
  it('hashes PII fields of a JSON payload and masks DLP findings in its strings', () => {
    const out = JSON.parse(redact('{"citizen_id":"CIT-12345678","phone":"+91 98450 12345","location":{"note":"mail a.b@example.com"},"n":1}'));
    assert.deepEqual(out, { citizen_id_hash: 'h(12)', phone_hash: 'h(15)', location: { note: 'mail [EMAIL_ADDRESS]' }, n: 1 });
  });

  it('redacts truncated JSON, including a value cut off mid-way', () => {
    assert.equal(
      redact('{"ticket_id":"T1","citizen_id":"CIT-12345678","phone":"+91 984'),
      '{"ticket_id":"T1","citizen_id_hash":"h(12)","phone_hash":"[REDACTED]',
    );
  });

  it('redacts Python-style dicts, key=value text and bare ids in CSV lines', () => {
    assert.equal(redact("{'citizen_id': 'CIT-12345678', 'x': 1}"), "{'citizen_id_hash': 'h(12)', 'x': 1}");
    assert.equal(redact('citizen_id=CIT-12345678&ward=5'), 'citizen_id_hash=h(12)&ward=5');
    assert.equal(redact('TKT-1,CIT-12345678,+91 98450 12345,Ward 5'), 'TKT-1,[CITIZEN_ID],[PHONE_NUMBER],Ward 5');
  });

  it('leaves clean text alone', () => {
    assert.equal(redact('nothing personal here'), 'nothing personal here');
  });
});

describe('maskText', () => {
  it('masks DLP findings and custom ids but leaves field-name prose alone', () => {
    assert.equal(redact.maskText('citizen_id: required field is missing'), 'citizen_id: required field is missing');
    assert.equal(redact.maskText('bad phone +91 98450 12345 for CIT-12345678'), 'bad phone [PHONE_NUMBER] for [CITIZEN_ID]');
  });
});
