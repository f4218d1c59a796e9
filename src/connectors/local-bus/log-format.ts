/**
 * The embedded bus's on-disk frame: one line per message,
 * `id TAB publishTimeMs TAB attributesJson TAB payload LF`.
 * Payloads that contain a line break or start with the escape marker are stored JSON-encoded
 * behind `\u0001`, so the common case (a JSON line) is stored as-is and read without re-parsing.
 */
export interface LogMessage {
  readonly id: string;
  readonly publishTime: number;
  readonly attributes: Readonly<Record<string, string>> | undefined;
  readonly payload: string;
}

const ESCAPED = '\u0001';
const EMPTY_ATTRIBUTES = '';

function cleanId(id: string): string {
  return /[\t\n\r]/.test(id) ? id.replace(/[\t\n\r]/g, ' ') : id;
}

export function encodeFrame(id: string, publishTime: number, attributes: Readonly<Record<string, string>> | undefined, payload: string): string {
  const attrs = attributes === undefined || Object.keys(attributes).length === 0 ? EMPTY_ATTRIBUTES : JSON.stringify(attributes);
  const body = payload.includes('\n') || payload.includes('\r') || payload.startsWith(ESCAPED) ? ESCAPED + JSON.stringify(payload) : payload;
  return `${cleanId(id)}\t${publishTime}\t${attrs}\t${body}\n`;
}

/** Parses one line (without its LF). A torn or foreign line is returned as `null`. */
export function decodeFrame(line: string): LogMessage | null {
  const a = line.indexOf('\t');
  if (a <= 0) return null;
  const b = line.indexOf('\t', a + 1);
  if (b < 0) return null;
  const c = line.indexOf('\t', b + 1);
  if (c < 0) return null;
  const publishTime = Number(line.slice(a + 1, b));
  if (!Number.isFinite(publishTime)) return null;
  let attributes: Record<string, string> | undefined;
  if (c > b + 1) {
    try {
      attributes = JSON.parse(line.slice(b + 1, c)) as Record<string, string>;
    } catch {
      return null;
    }
  }
  let payload = line.slice(c + 1);
  if (payload.startsWith(ESCAPED)) {
    try {
      payload = JSON.parse(payload.slice(1)) as string;
    } catch {
      return null;
    }
  }
  return { id: line.slice(0, a), publishTime, attributes, payload };
}
