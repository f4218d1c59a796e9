import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FeatureRecord, OnlineStore } from '../core/online-store.js';

/** A served record as JSON: each feature's value and its as-of time (ISO-8601 and epoch ms). */
export function featureRecordJson(record: FeatureRecord): { entity: string; id: string; features: Record<string, { value: unknown; as_of: string; as_of_ms: number }> } {
  const features: Record<string, { value: unknown; as_of: string; as_of_ms: number }> = {};
  for (const name of Object.keys(record.features).sort()) {
    const f = record.features[name];
    if (f === undefined) continue;
    features[name] = { value: f.value, as_of: Number.isFinite(f.asOf) ? new Date(f.asOf).toISOString() : String(f.asOf), as_of_ms: f.asOf };
  }
  return { entity: record.entity, id: record.id, features };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The online read API: `GET /features/<entity>/<id>` answers 200 with {@link featureRecordJson},
 * 404 when the store holds nothing for that id; `GET /healthz` answers 200. Ids are URL-decoded,
 * so `Ward 150 - Bellandur` is `/features/ward/Ward%20150%20-%20Bellandur`.
 *
 * @example
 * const server = createFeatureServer(store); server.listen(8081);
 */
export function createFeatureServer(store: OnlineStore): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: `method ${req.method} not allowed: use GET /features/<entity>/<id>` });
      return;
    }
    if (url.pathname === '/healthz') {
      send(res, 200, { ok: true, store: store.kind, location: store.location });
      return;
    }
    const match = /^\/features\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    if (match === null) {
      send(res, 404, { error: `no route ${url.pathname}: use GET /features/<entity>/<id>` });
      return;
    }
    let entity: string;
    let id: string;
    try {
      entity = decodeURIComponent(match[1] as string);
      id = decodeURIComponent(match[2] as string);
    } catch {
      send(res, 400, { error: 'the entity or id is not valid percent-encoding' });
      return;
    }
    store.get(entity, id).then(
      (record) => {
        if (record === null) send(res, 404, { error: `no features for ${entity} ${JSON.stringify(id)}`, entity, id });
        else send(res, 200, featureRecordJson(record));
      },
      (error: unknown) => send(res, 503, { error: `the online store ${store.location} failed: ${(error as Error).message}` }),
    );
  });
}
