import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertJsonSafe, renderTicket } from './ticket-json.js';

describe('ticket JSON rendering', () => {
  it('renders fields in order, omits undefined ones, and takes raw location text', () => {
    const line = renderTicket({
      ticket_id: '"T-1"',
      citizen_id: undefined,
      phone: 'null',
      submitted_at: '"2026-11-01T00:00:00.000Z"',
      location: { ward: '"W"', pincode: undefined, lat: '1.5', lon: '2' },
      category: '"Roads"',
      subcategory: undefined,
      description: '"d"',
      photos: '[]',
      language: '"en"',
      channel: undefined,
    });
    assert.equal(
      line,
      '{"ticket_id":"T-1","phone":null,"submitted_at":"2026-11-01T00:00:00.000Z","location":{"ward":"W","lat":1.5,"lon":2},"category":"Roads","description":"d","photos":[],"language":"en"}',
    );
    assert.equal(JSON.stringify(JSON.parse(line)), line);
  });

  it('rejects text that would need escaping', () => {
    assertJsonSafe('ಬಸ್ ನಿಲ್ದಾಣದ ಬಳಿ, ¿qué? ₹500 (IBAN)', 'ok');
    for (const bad of ['say "hi"', 'a\\b', 'line\nbreak', 'tab\t']) assert.throws(() => assertJsonSafe(bad, 'test'), /needs JSON escaping/);
  });
});
