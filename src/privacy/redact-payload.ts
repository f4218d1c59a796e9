import { dlpScan, maskFindings } from './dlp.js';

export interface PayloadRedactorOptions {
  /** Field names whose values are personal data wherever they appear (e.g. citizen_id, phone). */
  readonly piiFields: readonly string[];
  /** Hashes one PII value (keyed HMAC in production). */
  readonly hash: (value: string) => string;
  /**
   * The pipeline's own identifier formats (Cloud DLP's "custom info types"), masked as `[NAME]`
   * wherever they appear in text that could not be parsed — a CSV line or a Python-style dict in
   * a JSON topic has no field names to go by.
   */
  readonly customInfoTypes?: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }>;
}

/** A payload redactor; `maskText` only masks DLP findings and custom info types (for prose such as error messages). */
export type PayloadRedactor = ((raw: string) => string) & { readonly maskText: (text: string) => string };

/**
 * Makes a raw payload safe to keep in an error row or on a dead-letter topic. Error rows are
 * where raw data hides, so this works on payloads that are not even JSON:
 * - a JSON object: each PII field `f` becomes `f_hash` (as the pipeline would have done), and
 *   every string value is DLP-masked;
 * - anything else (truncated JSON, garbage): `"f": "…"` pairs are replaced by their hash — or by
 *   `[REDACTED]` when the value is cut off — and the whole text is DLP-masked.
 *
 * @example
 * const redact = createPayloadRedactor({ piiFields: ['citizen_id', 'phone'], hash: hasher.hash });
 * redact('{"citizen_id":"CIT-1","description":"call 9876543210"}');
 * // → '{"citizen_id_hash":"…","description":"call [PHONE_NUMBER]"}'
 */
export function createPayloadRedactor(options: PayloadRedactorOptions): PayloadRedactor {
  const fields = new Set(options.piiFields);
  const names = options.piiFields.map((f) => f.replace(/[^A-Za-z0-9_]/g, '')).join('|');
  // A PII pair in raw text: a complete string, a number, or a string cut off by truncation.
  const pair = names.length === 0 ? null : new RegExp(`"(${names})"(\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|-?[0-9][0-9.eE+-]*|"(?:[^"\\\\]|\\\\.)*$)`, 'g');
  // The same in the other shapes bad producers send: 'f': 'v' (Python dicts), f=v, f: v.
  const loosePair = names.length === 0 ? null : new RegExp(`(['"]?)\\b(${names})\\1(\\s*[:=]\\s*)('[^']*'?|"[^"]*"?|[^\\s,;&}\\]]+)`, 'g');
  const custom = (options.customInfoTypes ?? []).map((t) => ({ name: t.name, pattern: new RegExp(t.pattern.source, t.pattern.flags.includes('g') ? t.pattern.flags : `${t.pattern.flags}g`) }));

  const maskText = (text: string): string => {
    const findings = dlpScan(text);
    let masked = findings.length === 0 ? text : maskFindings(text, findings);
    for (const t of custom) masked = masked.replace(t.pattern, `[${t.name}]`);
    return masked;
  };

  const redactValue = (value: unknown): unknown => {
    if (typeof value === 'string') return maskText(value);
    if (Array.isArray(value)) return value.map(redactValue);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        if (fields.has(key)) {
          out[`${key}_hash`] = v === null || v === undefined || typeof v === 'object' ? null : options.hash(String(v));
        } else {
          out[key] = redactValue(v);
        }
      }
      return out;
    }
    return value;
  };

  const redact = (raw: string): string => {
    const trimmed = raw.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return JSON.stringify(redactValue(JSON.parse(raw)));
      } catch {
        // Not JSON after all: fall through to the text path.
      }
    }
    let text = raw;
    if (pair !== null) {
      text = text.replace(pair, (_m, field: string, colon: string, value: string) => {
        const complete = value.length >= 2 && value.startsWith('"') && value.endsWith('"') && !value.endsWith('\\"');
        if (complete || !value.startsWith('"')) {
          const plain = complete ? (JSON.parse(value) as string) : value;
          return `"${field}_hash"${colon}"${options.hash(String(plain))}"`;
        }
        return `"${field}_hash"${colon}"[REDACTED]`;
      });
    }
    if (loosePair !== null) {
      text = text.replace(loosePair, (_m, quote: string, field: string, sep: string, value: string) => {
        const plain = value.replace(/^['"]|['"]$/g, '');
        return `${quote}${field}_hash${quote}${sep}${quote || ''}${plain.length > 0 ? options.hash(plain) : ''}${quote || ''}`;
      });
    }
    return maskText(text);
  };
  return Object.assign(redact, { maskText });
}
