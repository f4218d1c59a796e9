/**
 * Input profile `la311`: runs the municipal-tickets pipeline on the City of Los Angeles MyLA311
 * service-request export (e.g. /work/shared/data/real/la311-2017-subset.csv, parsed by csv-parse
 * with `columns: true`). Each CSV row becomes one `tickets.new` message:
 *
 * | ticket field        | from LA 311 column        | rule                                                                 |
 * |---------------------|---------------------------|----------------------------------------------------------------------|
 * | ticket_id           | SRNumber                  | as is, e.g. "1-870704831"                                            |
 * | citizen_id          | —                         | null: the export has no requester id, only Anonymous Y/N             |
 * | phone               | —                         | null                                                                 |
 * | submitted_at        | CreatedDate               | `MM/DD/YYYY hh:mm:ss AM`, Los Angeles local time → ISO-8601 UTC;      |
 * |                     |                           | a value that does not parse is passed through unchanged, so the      |
 * |                     |                           | pipeline turns the row into a `bad_timestamp` error row              |
 * | location.ward       | CD (council district)     | "CD 13"; empty → null (an error row: every ticket needs a ward)      |
 * | location.pincode    | ZipCode                   | as is; empty → null                                                  |
 * | location.lat / lon  | Latitude / Longitude      | numbers; empty or not a number → null (≈18% of rows have none)        |
 * | category            | RequestType               | as is, e.g. "Bulky Items"                                            |
 * | subcategory         | RequestType               | RequestType again: ActionTaken, the other candidate, is "SR Created" |
 * |                     |                           | on every row of the export, so it would carry nothing                |
 * | description         | RequestType + address     | "Bulky Items near the 6100 block of E MESA AVE": the house number is  |
 * |                     |                           | generalised to its hundred block. The exact address of a pickup is   |
 * |                     |                           | a resident's home; the block keeps the text useful without it.       |
 * |                     |                           | Intersections ("X ST AT Y AVE") are kept as they are.                 |
 * | photos              | —                         | []                                                                   |
 * | language            | —                         | "en"                                                                 |
 * | channel             | RequestSource             | lower_snake: Call → call_center, Self Service → self_service,        |
 * |                     |                           | Mobile App → mobile_app, Driver Self Report → driver_self_report,    |
 * |                     |                           | Email → email, Walk-in → walk_in, Council's Office → councils_office  |
 *
 * Columns not listed (Status, UpdatedDate, ClosedDate, Owner, AssignTo, NCName, PolicePrecinct …)
 * are not part of the ticket input schema and are dropped.
 */

/** The ticket input message produced from one LA 311 row. */
export interface La311Ticket {
  ticket_id: string;
  citizen_id: null;
  phone: null;
  submitted_at: string;
  location: { ward: string | null; pincode: string | null; lat: number | null; lon: number | null };
  category: string;
  subcategory: string;
  description: string;
  photos: string[];
  language: 'en';
  channel: string | null;
}

const LA_TIME_ZONE = 'America/Los_Angeles';
const HOUR_MS = 3_600_000;

/** Sources whose lower_snake form is not what the pipeline's other inputs call the channel. */
const CHANNEL_ALIASES: Readonly<Record<string, string>> = { call: 'call_center' };

let laParts: Intl.DateTimeFormat | undefined;

/** Los Angeles wall-clock time minus UTC at instant `utcMs`, in ms (−8 h in winter, −7 h in summer). */
function laOffsetAt(utcMs: number): number {
  laParts ??= new Intl.DateTimeFormat('en-US', {
    timeZone: LA_TIME_ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const get: Record<string, number> = {};
  for (const part of laParts.formatToParts(utcMs)) if (part.type !== 'literal') get[part.type] = Number(part.value);
  const wallAsUtc = Date.UTC(get.year ?? 0, (get.month ?? 1) - 1, get.day ?? 1, get.hour ?? 0, get.minute ?? 0, get.second ?? 0);
  return wallAsUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The UTC instant of a Los Angeles wall-clock time. Around DST changes it behaves like Temporal's
 * "compatible" disambiguation: in the repeated hour of November the earlier instant (still PDT) is
 * taken; in the skipped hour of March the time is read with the offset before the change, which
 * lands one hour later on the clock (02:30 → 03:30 PDT).
 *
 * @example
 * laLocalToUtc(2017, 12, 31, 23, 59, 58); // Date.UTC(2018, 0, 1, 7, 59, 58)
 */
export function laLocalToUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  // The offset a day before and after covers both sides of any transition near this time.
  const before = laOffsetAt(wallAsUtc - 24 * HOUR_MS);
  const after = laOffsetAt(wallAsUtc + 24 * HOUR_MS);
  const candidates: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const utc = wallAsUtc - offset;
    if (laOffsetAt(utc) === offset) candidates.push(utc);
  }
  if (candidates.length > 0) return Math.min(...candidates);
  return wallAsUtc - before;
}

const CREATED_DATE = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)$/;

/** `MM/DD/YYYY hh:mm:ss AM` in Los Angeles time → ISO-8601 UTC, or null when it is not a real date. */
export function parseLa311Date(text: string): string | null {
  const m = CREATED_DATE.exec(text.trim());
  if (m === null) return null;
  const [, mm, dd, yyyy, hh, min, ss, ampm] = m as unknown as [string, string, string, string, string, string, string, 'AM' | 'PM'];
  const month = Number(mm);
  const day = Number(dd);
  const year = Number(yyyy);
  const hour12 = Number(hh);
  const minute = Number(min);
  const second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || hour12 < 1 || hour12 > 12 || minute > 59 || second > 59) return null;
  // Reject days past the month's end (02/30): Date.UTC would silently roll them over.
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null;
  const hour = (hour12 % 12) + (ampm === 'PM' ? 12 : 0);
  return new Date(laLocalToUtc(year, month, day, hour, minute, second)).toISOString();
}

/** "Self Service" → "self_service", "Call" → "call_center"; empty → null. */
export function normaliseLa311Channel(source: string): string | null {
  const snake = source
    .trim()
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (snake.length === 0) return null;
  return CHANNEL_ALIASES[snake] ?? snake;
}

function numberOrNull(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function textOrNull(text: string | undefined): string | null {
  const t = text?.trim() ?? '';
  return t.length === 0 ? null : t;
}

/** "2111 W BELLEVUE AVE, 90026" → "the 2100 block of W BELLEVUE AVE"; intersections stay as they are. */
function addressBlock(row: Record<string, string>): string | null {
  const house = Number.parseInt(row.HouseNumber ?? '', 10);
  const street = [row.Direction, row.StreetName, row.Suffix]
    .map((p) => p?.trim() ?? '')
    .filter((p) => p.length > 0)
    .join(' ');
  if (Number.isFinite(house) && street.length > 0) return `the ${Math.floor(house / 100) * 100} block of ${street}`;
  // Free-text addresses: drop ", zip" / ", CA 90066", and generalise a leading house number.
  const address = (row.Address ?? '').split(',')[0]?.trim() ?? '';
  if (address.length === 0) return null;
  const numbered = /^(\d+)\s+(.+)$/.exec(address);
  if (numbered !== null) return `the ${Math.floor(Number(numbered[1]) / 100) * 100} block of ${numbered[2]}`;
  return address;
}

/**
 * Maps one LA 311 CSV row to a `tickets.new` message (see the table above). Pure; never throws —
 * rows with unusable values still map, and the pipeline's validation turns them into error rows.
 *
 * @example
 * la311RowToTicket({ SRNumber: '1-870704831', CreatedDate: '12/31/2017 11:59:58 PM', RequestType: 'Homeless Encampment', CD: '13', … });
 * // { ticket_id: '1-870704831', submitted_at: '2018-01-01T07:59:58.000Z', location: { ward: 'CD 13', … }, … }
 */
export function la311RowToTicket(row: Record<string, string>): La311Ticket {
  const created = row.CreatedDate ?? '';
  const requestType = (row.RequestType ?? '').trim();
  const cd = textOrNull(row.CD);
  const block = addressBlock(row);
  return {
    ticket_id: (row.SRNumber ?? '').trim(),
    citizen_id: null,
    phone: null,
    submitted_at: parseLa311Date(created) ?? created,
    location: {
      ward: cd === null ? null : `CD ${cd}`,
      pincode: textOrNull(row.ZipCode),
      lat: numberOrNull(row.Latitude),
      lon: numberOrNull(row.Longitude),
    },
    category: requestType,
    subcategory: requestType,
    description: block === null ? requestType : `${requestType} near ${block}`,
    photos: [],
    language: 'en',
    channel: normaliseLa311Channel(row.RequestSource ?? ''),
  };
}
