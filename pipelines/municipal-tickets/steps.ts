import type { StepFn } from '../../src/core/step.js';
import { parseTimestamp } from '../../src/core/timestamps.js';
import type { DlpFinding } from '../../src/privacy/dlp.js';
import { cleanText } from '../../src/text/clean-text.js';
import { detectLanguage } from '../../src/text/language.js';
import { sentimentScore } from '../../src/text/sentiment.js';
import type { CleansedTicket, RawTicket, TicketInput } from './ticket-schema.js';

/**
 * Steps 1–2: flattens the parsed ticket, stamps the ingestion time, and replaces citizen_id and
 * phone by their keyed hashes. The raw values are not copied anywhere: they die with the input
 * object.
 */
export function hashTicketPii(hash: (value: string) => string): StepFn<TicketInput, RawTicket> {
  return (t, ctx) => {
    // The schema already proved submitted_at parses.
    const submittedAt = parseTimestamp(t.submitted_at) as number;
    return {
      ticket_id: t.ticket_id,
      citizen_id_hash: t.citizen_id === null || t.citizen_id === undefined || t.citizen_id === '' ? null : hash(t.citizen_id),
      phone_hash: t.phone === null || t.phone === undefined || t.phone === '' ? null : hash(t.phone),
      submitted_at: submittedAt,
      ward: t.location.ward,
      pincode: t.location.pincode ?? null,
      lat: t.location.lat ?? null,
      lon: t.location.lon ?? null,
      category: t.category,
      subcategory: t.subcategory ?? null,
      description: t.description,
      photos: t.photos ?? [],
      language: t.language ?? null,
      channel: t.channel ?? null,
      ingestion_timestamp: ctx.now,
      _dlp_scanned: false,
      _dlp_findings: [],
    };
  };
}

/**
 * Step 3: scans the description for info types, records them (`_dlp_findings`, one entry per
 * finding, in text order) and, when `mask` is on, replaces each finding by `[TYPE]` so no planted
 * PII reaches a table.
 */
export function dlpScanTicket(
  scan: (text: string) => readonly DlpFinding[],
  mask: ((text: string, findings: readonly DlpFinding[]) => string) | null,
): StepFn<RawTicket, RawTicket> {
  return (t) => {
    const findings = scan(t.description);
    t._dlp_scanned = true;
    if (findings.length > 0) {
      const types = new Array<string>(findings.length);
      for (let i = 0; i < findings.length; i++) types[i] = (findings[i] as DlpFinding).type;
      t._dlp_findings = types;
      if (mask !== null) t.description = mask(t.description, findings);
    }
    return t;
  };
}

/** Step 5: the seed's `cleanse_ticket`. Language comes from the ticket, detected only when absent. */
export const cleanseTicket: StepFn<RawTicket, CleansedTicket> = (t) => {
  const clean = cleanText(t.description);
  return {
    ticket_id: t.ticket_id,
    citizen_id_hash: t.citizen_id_hash,
    submitted_at: t.submitted_at,
    ward: t.ward,
    pincode: t.pincode,
    lat: t.lat,
    lon: t.lon,
    category: t.category,
    subcategory: t.subcategory,
    description_clean: clean,
    photo_count: t.photos.length,
    language: t.language ?? detectLanguage(clean),
    channel: t.channel,
    sentiment_score: sentimentScore(clean),
  };
};
