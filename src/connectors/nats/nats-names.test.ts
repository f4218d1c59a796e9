import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../core/errors.js';
import { durableName, parseNatsUrl, streamName, subjectFor } from './nats-names.js';

describe('NATS names', () => {
  it('maps a topic to its own stream and subject', () => {
    assert.equal(streamName('SLUICE_', 'tickets.new'), 'SLUICE_tickets_new');
    assert.equal(subjectFor('', 'tickets.new'), 'tickets.new');
    assert.equal(subjectFor('prod.', 'tickets.new'), 'prod.tickets.new');
  });

  it('refuses topics that are not plain subjects: wildcards, empty tokens, spaces', () => {
    for (const bad of ['tickets.*', 'tickets.>', 'a..b', '.a', 'a.', 'a b', '']) assert.throws(() => streamName('S_', bad), ConfigError, bad);
  });

  it('makes a durable name JetStream accepts from any consumer name', () => {
    assert.equal(durableName('municipal-tickets'), 'municipal-tickets');
    assert.equal(durableName('team.a worker*1'), 'team_a_worker_1');
  });

  it('takes credentials out of the servers it shows', () => {
    const url = parseNatsUrl('nats://app:s3cret@10.0.0.1:4222,nats://10.0.0.2');
    assert.deepEqual(url.servers, ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']);
    assert.equal(url.location, 'nats://10.0.0.1:4222,nats://10.0.0.2:4222');
    assert.equal(url.user, 'app');
    assert.equal(url.pass, 's3cret');
    assert.equal(parseNatsUrl('nats://tok3n@127.0.0.1:4222').token, 'tok3n');
    assert.throws(() => parseNatsUrl('redis://127.0.0.1'), /must start with nats:\/\//);
  });
});
