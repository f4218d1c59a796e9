import { ConfigError } from '../../core/errors.js';

/**
 * How Sluice's topics and consumers map onto JetStream, and how a `nats://` URL is read. Pure
 * functions, tested without a server.
 *
 * One stream per topic: stream `<prefix><topic, dots as underscores>` holding the one subject
 * `<subjectPrefix><topic>`. Not one stream for all topics, because JetStream deduplicates message
 * ids per stream, and Sluice republishes a record under its input id (tickets.new → ready topic,
 * dead letters): in a shared stream those would be dropped as duplicates. Per-topic streams also
 * give each topic its own retention and per-topic stats for free.
 */

/** Dot-separated tokens of letters, digits, `_` and `-`: a valid NATS subject with no wildcards. */
const TOPIC = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

export function checkTopic(topic: string): void {
  if (topic.length > 200 || !TOPIC.test(topic)) {
    throw new ConfigError(`"${topic}" is not a valid topic name for NATS: use dot-separated words of letters, digits, '_' and '-' (e.g. tickets.new), no wildcards or empty parts.`);
  }
}

/** `tickets.new` → `SLUICE_tickets_new`. Two topics that differ only by `.` vs `_` collide; ensureStream says so. */
export function streamName(prefix: string, topic: string): string {
  checkTopic(topic);
  return `${prefix}${topic.replace(/\./g, '_')}`;
}

export function subjectFor(subjectPrefix: string, topic: string): string {
  checkTopic(topic);
  return `${subjectPrefix}${topic}`;
}

/** Durable names may not hold `.`, `*`, `>` or whitespace. */
export function durableName(consumer: string): string {
  const name = consumer.replace(/[^A-Za-z0-9_-]/g, '_');
  if (name.length === 0) throw new ConfigError('the consumer name is empty: pass --consumer NAME (default: the pipeline name).');
  return name;
}

export interface NatsUrl {
  readonly servers: readonly string[];
  /** For people: the servers without credentials. */
  readonly location: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

/**
 * `nats://[user:pass@|token@]host:port[,nats://host2:port…]`. Credentials are taken out of the
 * server list (passed as connection options) so they never appear in `location` or logs.
 */
export function parseNatsUrl(url: string): NatsUrl {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  let token: string | undefined;
  for (const part of url.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    let parsed: URL;
    try {
      parsed = new URL(part.includes('://') ? part : `nats://${part}`);
    } catch (error) {
      throw new ConfigError(`"${part.replace(/\/\/[^@/]*@/, '//***@')}" is not a NATS URL. Use nats://HOST:4222 (e.g. nats://127.0.0.1:4222).`, { cause: error });
    }
    if (parsed.protocol !== 'nats:' && parsed.protocol !== 'tls:') throw new ConfigError(`"${parsed.protocol}//${parsed.host}" is not a NATS URL: it must start with nats:// (or tls://).`);
    if (parsed.username !== '' && parsed.password !== '') {
      user = decodeURIComponent(parsed.username);
      pass = decodeURIComponent(parsed.password);
    } else if (parsed.username !== '') {
      token = decodeURIComponent(parsed.username);
    }
    servers.push(`${parsed.protocol}//${parsed.hostname}:${parsed.port || '4222'}`);
  }
  if (servers.length === 0) throw new ConfigError('the NATS URL names no server. Use nats://HOST:4222 (e.g. nats://127.0.0.1:4222).');
  return {
    servers,
    location: servers.join(','),
    ...(user !== undefined ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    ...(token !== undefined ? { token } : {}),
  };
}

/** JetStream durations are nanoseconds. */
export const nanos = (ms: number): number => Math.round(ms * 1_000_000);
