/**
 * A ticket as JSON text per field, so bad-record corruptions can drop or replace one field and
 * re-render, and valid tickets render through the same code. Field order matches the seed's
 * example message.
 */

export interface LocationJson {
  ward: string | undefined;
  pincode: string | undefined;
  lat: string | undefined;
  lon: string | undefined;
}

/** JSON text of each field; `undefined` omits the field. `location` is either sub-fields or raw JSON text. */
export interface TicketJson {
  ticket_id: string | undefined;
  citizen_id: string | undefined;
  phone: string | undefined;
  submitted_at: string | undefined;
  location: LocationJson | string | undefined;
  category: string | undefined;
  subcategory: string | undefined;
  description: string | undefined;
  photos: string | undefined;
  language: string | undefined;
  channel: string | undefined;
}

function field(out: string, name: string, json: string | undefined): string {
  if (json === undefined) return out;
  return `${out.length > 1 ? `${out},` : out}"${name}":${json}`;
}

function renderLocation(location: LocationJson | string): string {
  if (typeof location === 'string') return location;
  let out = '{';
  out = field(out, 'ward', location.ward);
  out = field(out, 'pincode', location.pincode);
  out = field(out, 'lat', location.lat);
  out = field(out, 'lon', location.lon);
  return `${out}}`;
}

/** One line of JSON. */
export function renderTicket(t: TicketJson): string {
  let out = '{';
  out = field(out, 'ticket_id', t.ticket_id);
  out = field(out, 'citizen_id', t.citizen_id);
  out = field(out, 'phone', t.phone);
  out = field(out, 'submitted_at', t.submitted_at);
  out = field(out, 'location', t.location === undefined ? undefined : renderLocation(t.location));
  out = field(out, 'category', t.category);
  out = field(out, 'subcategory', t.subcategory);
  out = field(out, 'description', t.description);
  out = field(out, 'photos', t.photos);
  out = field(out, 'language', t.language);
  out = field(out, 'channel', t.channel);
  return `${out}}`;
}

/**
 * Throws if `text` would need escaping inside a JSON string (a quote, backslash or control
 * character). Template text is checked once at module load, so the hot path can skip
 * JSON.stringify, which cost about a third of a line's time.
 */
export function assertJsonSafe(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) throw new Error(`${what} needs JSON escaping: ${JSON.stringify(text)}`);
  }
}
