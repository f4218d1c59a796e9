import { z } from 'zod';
import { parseTimestamp } from '../../src/core/timestamps.js';

/** A timestamp field: ISO-8601 text (or epoch ms) that must name a real instant (see parseTimestamp). */
const timestamp = z.union([z.string(), z.number()]).refine((v) => parseTimestamp(v) !== null, {
  message: 'not a valid timestamp',
  params: { sluice: 'bad_timestamp' },
});

/**
 * The `tickets.new` message, as the seed's Dataflow job reads it. Unknown fields are dropped.
 *
 * @example
 * TicketInput.safeParse(JSON.parse(line))
 */
export const TicketInput = z.object({
  ticket_id: z.string().min(1),
  citizen_id: z.string().nullish(),
  phone: z.string().nullish(),
  submitted_at: timestamp,
  location: z.object({
    ward: z.string().min(1),
    pincode: z.string().nullish(),
    lat: z.number().min(-90).max(90).nullish(),
    lon: z.number().min(-180).max(180).nullish(),
  }),
  category: z.string().min(1),
  subcategory: z.string().nullish(),
  description: z.string(),
  photos: z.array(z.string()).nullish(),
  language: z.string().nullish(),
  channel: z.string().nullish(),
});

export type TicketInput = z.infer<typeof TicketInput>;

/** A ticket after step 1–3: parsed, PII hashed (raw ids gone), DLP-scanned. */
export interface RawTicket {
  ticket_id: string;
  citizen_id_hash: string | null;
  phone_hash: string | null;
  submitted_at: number;
  ward: string;
  pincode: string | null;
  lat: number | null;
  lon: number | null;
  category: string;
  subcategory: string | null;
  description: string;
  photos: string[];
  language: string | null;
  channel: string | null;
  ingestion_timestamp: number;
  _dlp_scanned: boolean;
  _dlp_findings: string[];
}

/** The seed's step-5 record. */
export interface CleansedTicket {
  ticket_id: string;
  citizen_id_hash: string | null;
  submitted_at: number;
  ward: string;
  pincode: string | null;
  lat: number | null;
  lon: number | null;
  category: string;
  subcategory: string | null;
  description_clean: string;
  photo_count: number;
  language: string;
  channel: string | null;
  sentiment_score: number;
}

/** What steps 6–8 need of a ticket; the rest is in raw_tickets and cleansed_tickets by then. */
export interface TicketForFeatures {
  readonly ticket_id: string;
  readonly citizen_id_hash: string | null;
  readonly submitted_at: number;
  readonly ward: string;
  readonly category: string;
  readonly channel: string | null;
}
