import type { SourceMessage } from '../../core/source.js';

/** Why an HTTP body could not be turned into messages (answered with 400, nothing accepted). */
export class IngestBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestBodyError';
  }
}

interface PubSubPushEnvelope {
  message: { data?: string; attributes?: Record<string, string>; messageId?: string; message_id?: string; publishTime?: string; publish_time?: string };
  subscription?: string;
}

function isPushEnvelope(value: unknown): value is PubSubPushEnvelope {
  if (value === null || typeof value !== 'object') return false;
  const message = (value as { message?: unknown }).message;
  return message !== null && typeof message === 'object' && ('data' in message || 'messageId' in message || 'message_id' in message);
}

function fromPushEnvelope(envelope: PubSubPushEnvelope): SourceMessage {
  const m = envelope.message;
  const payload = m.data === undefined ? '' : Buffer.from(m.data, 'base64').toString('utf8');
  const publishTime = Date.parse(m.publishTime ?? m.publish_time ?? '');
  const id = m.messageId ?? m.message_id;
  return {
    payload,
    ...(id !== undefined ? { id } : {}),
    ...(m.attributes !== undefined ? { attributes: m.attributes } : {}),
    ...(Number.isNaN(publishTime) ? {} : { publishTime }),
  };
}

/**
 * Turns an HTTP body into messages. Accepted:
 * - the Pub/Sub push envelope `{"message":{"data":"<base64>","attributes":{…},"messageId":"…","publishTime":"…"},"subscription":"…"}`;
 * - NDJSON (`application/x-ndjson`, or any body with several lines), one message per line;
 * - a JSON array (one message per element) or a single JSON value (one message).
 * A line of NDJSON that is not JSON is still accepted as a message: the pipeline records it as an
 * error row, which is where bad records belong.
 */
export function messagesFromBody(body: string, contentType: string | undefined): SourceMessage[] {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const trimmed = body.trim();
  if (trimmed.length === 0) throw new IngestBodyError('empty body: send JSON, NDJSON or a Pub/Sub push envelope');
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || (type !== 'application/json' && trimmed.includes('\n'))) {
    return trimmed.split('\n').filter((l) => l.trim().length > 0).map((payload) => ({ payload: payload.replace(/\r$/, '') }));
  }
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    if (trimmed.includes('\n')) return trimmed.split('\n').filter((l) => l.trim().length > 0).map((payload) => ({ payload }));
    // A single malformed JSON body is still a record: it becomes an error row, not a lost request.
    return [{ payload: trimmed }];
  }
  if (isPushEnvelope(value)) return [fromPushEnvelope(value)];
  if (Array.isArray(value)) return value.map((v) => (isPushEnvelope(v) ? fromPushEnvelope(v) : { payload: JSON.stringify(v) }));
  return [{ payload: trimmed }];
}
