import { type Random, WeightedChoices } from '../../../src/generate/random.js';
import { renderTicket, type TicketJson } from './ticket-json.js';

/**
 * The ways a `tickets.new` message goes wrong in production, each guaranteed to fail the
 * pipeline's parse or validation (the generator test checks every one against the pipeline's
 * schema). Most keep the raw citizen_id and phone in the payload — truncated JSON included —
 * because error rows and dead letters are where unhashed personal data hides.
 */

export type BadReason =
  | 'truncated_json'
  | 'trailing_garbage'
  | 'not_json'
  | 'missing_ticket_id'
  | 'null_ticket_id'
  | 'empty_ticket_id'
  | 'numeric_ticket_id'
  | 'bad_timestamp'
  | 'missing_timestamp'
  | 'location_string'
  | 'missing_location'
  | 'ward_null'
  | 'ward_number'
  | 'lat_string'
  | 'lat_out_of_range'
  | 'photos_number'
  | 'missing_category'
  | 'description_null';

/** Relative frequency of each corruption among bad lines that are not duplicates. */
export const BAD_REASON_CHOICES = new WeightedChoices<BadReason>([
  ['truncated_json', 18],
  ['trailing_garbage', 8],
  ['not_json', 4],
  ['missing_ticket_id', 7],
  ['null_ticket_id', 5],
  ['empty_ticket_id', 2],
  ['numeric_ticket_id', 2],
  ['bad_timestamp', 14],
  ['missing_timestamp', 4],
  ['location_string', 5],
  ['missing_location', 2],
  ['ward_null', 4],
  ['ward_number', 3],
  ['lat_string', 5],
  ['lat_out_of_range', 3],
  ['photos_number', 5],
  ['missing_category', 4],
  ['description_null', 3],
]);

const BAD_TIMESTAMPS = ['"not-a-date"', '"2026-13-45T99:00:00Z"', '"yesterday"', '""', '"31/11/2026 25:61"'];
const TRAILING_GARBAGE = ['}', ',', ' garbage', ']]', '{"ticket_id":"', ';'];

/** Raw values of a ticket, for corruptions that rewrite the whole line. */
export interface TicketFacts {
  readonly ticketId: string;
  readonly citizenId: string;
  readonly phone: string | undefined;
  readonly submittedAt: string;
  readonly wardLabel: string;
  readonly wardNo: number;
  readonly category: string;
  readonly subcategory: string;
  readonly description: string;
  readonly lat: number;
}

/** A string quoted the way Python's repr quotes it. */
function pyString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Corrupts a well-formed ticket in the given way and returns the bad line. `json` is modified.
 * Draws from `rng` only where the corruption needs a choice.
 */
export function corruptTicket(rng: Random, reason: BadReason, json: TicketJson, facts: TicketFacts): string {
  const location = typeof json.location === 'object' ? json.location : undefined;
  switch (reason) {
    case 'truncated_json': {
      const line = renderTicket(json);
      // Cut somewhere after the phone (or citizen id): the id and number stay in the payload, and any
      // strict prefix of a JSON object is invalid JSON.
      const anchor = line.indexOf('"submitted_at"');
      const from = anchor > 0 ? anchor : 20;
      return line.slice(0, rng.int(from, line.length - 2));
    }
    case 'trailing_garbage':
      return renderTicket(json) + rng.pick(TRAILING_GARBAGE);
    case 'not_json':
      if (rng.chance(0.5)) {
        // A Python dict's str(): what a hurried producer script publishes.
        const phone = facts.phone === undefined ? 'None' : pyString(facts.phone);
        return `{'ticket_id': ${pyString(facts.ticketId)}, 'citizen_id': ${pyString(facts.citizenId)}, 'phone': ${phone}, 'submitted_at': ${pyString(facts.submittedAt)}, 'category': ${pyString(facts.category)}, 'description': ${pyString(facts.description)}}`;
      }
      // A CSV row sent to a JSON topic.
      return [facts.ticketId, facts.citizenId, facts.phone ?? '', facts.submittedAt, facts.wardLabel, facts.category, facts.subcategory].join(',');
    case 'missing_ticket_id':
      json.ticket_id = undefined;
      break;
    case 'null_ticket_id':
      json.ticket_id = 'null';
      break;
    case 'empty_ticket_id':
      json.ticket_id = '""';
      break;
    case 'numeric_ticket_id':
      json.ticket_id = facts.ticketId.replace(/\D/g, '').replace(/^0+/, '') || '0';
      break;
    case 'bad_timestamp':
      json.submitted_at = rng.pick(BAD_TIMESTAMPS);
      break;
    case 'missing_timestamp':
      json.submitted_at = undefined;
      break;
    case 'location_string':
      json.location = JSON.stringify(facts.wardLabel);
      break;
    case 'missing_location':
      json.location = undefined;
      break;
    case 'ward_null':
      if (location !== undefined) location.ward = 'null';
      break;
    case 'ward_number':
      if (location !== undefined) location.ward = String(facts.wardNo);
      break;
    case 'lat_string':
      if (location !== undefined) location.lat = '"north"';
      break;
    case 'lat_out_of_range':
      // A decimal point lost on the way: 12.9259 becomes 1292.59.
      if (location !== undefined) location.lat = String(Math.round(facts.lat * 10_000) / 100);
      break;
    case 'photos_number':
      json.photos = String(rng.int(1, 4));
      break;
    case 'missing_category':
      json.category = undefined;
      break;
    case 'description_null':
      json.description = 'null';
      break;
  }
  return renderTicket(json);
}
