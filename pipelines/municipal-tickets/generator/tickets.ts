import { EventQueue } from '../../../src/generate/event-queue.js';
import { isoUtc } from '../../../src/generate/iso-time.js';
import { type GeneratedLine, type GeneratorOptions, resolveGeneratorOptions } from '../../../src/generate/generator.js';
import { Random, WeightedChoices } from '../../../src/generate/random.js';
import { BAD_REASON_CHOICES, corruptTicket, type TicketFacts } from './bad-records.js';
import { SUBCATEGORIES, SUBCATEGORY_CHOICES, type Subcategory } from './catalog.js';
import { CitizenPool } from './citizens.js';
import { describeIssue, type Language, LANGUAGE_CHOICES, SENTIMENT_CHOICES } from './descriptions.js';
import { PiiPlanter, piiSentence } from './pii.js';
import { renderStatus, scheduleStatusUpdates, unpackStatus } from './status-updates.js';
import { assertJsonSafe, type TicketJson } from './ticket-json.js';
import { WARDS, type Ward } from './wards.js';

/**
 * The municipal-tickets stream: tickets on `tickets.new` with bad records mixed in at `badRate`,
 * and their later status updates on `tickets.status`, interleaved in event-time order.
 *
 * Shares (of `tickets.new` lines):
 * - bad: `badRate`, of which a fifth are byte-exact duplicates of a recent valid line;
 * - of the rest, 0.5% late (10–60 min behind) and 2% out of order (≤ 2 min behind).
 * Of well-formed tickets, 15% carry personal data planted in the description and 10% have no phone.
 */

export const TICKETS_TOPIC = 'tickets.new';
export const STATUS_TOPIC = 'tickets.status';

/** Share of bad lines that are duplicates rather than corrupt. */
export const DUPLICATE_SHARE_OF_BAD = 0.2;
export const LATE_SHARE = 0.005;
export const OUT_OF_ORDER_SHARE = 0.02;
export const PII_DESCRIPTION_SHARE = 0.15;
/** Share of planted descriptions that carry a second value (e.g. an email and a phone). */
const SECOND_PII_SHARE = 0.2;
const NO_PHONE_SHARE = 0.1;
/**
 * Duplicates copy one of the last ~1,000 valid lines (redeliveries happen within minutes, not days).
 * Only every 8th valid line is kept as a candidate: a kept line survives long enough to be promoted
 * to V8's old generation, and keeping every line made that copying a large part of the run time.
 */
const DUPLICATE_CANDIDATES = 128;
const DUPLICATE_SAMPLE_EVERY = 8;
const NO_SENTENCES: readonly string[] = [];
const ZERO_PADDING: readonly string[] = ['', '0', '00', '000', '0000', '00000'];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const IST_OFFSET_MS = 330 * MINUTE;

/**
 * Relative ticket rate by hour of day in India (IST), normalised to mean 1 so the average rate is
 * `eventsPerSecond`: quiet at night, peaks on the morning walk or commute and in the evening.
 */
const HOURLY_RATE: readonly number[] = (() => {
  const raw = [0.25, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.5, 1.8, 1.8, 1.6, 1.4, 1.3, 1.3, 1.3, 1.4, 1.5, 1.6, 1.6, 1.4, 1.1, 0.8, 0.5];
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  return raw.map((r) => r / mean);
})();

const WARD_CHOICES = new WeightedChoices<Ward>(WARDS.map((w) => [w, w.population * w.reportingFactor] as const));

type Channel = 'mobile_app' | 'web_portal' | 'call_center' | 'whatsapp' | 'twitter' | 'walk_in';
const CHANNEL_CHOICES = new WeightedChoices<Channel>([
  ['mobile_app', 38],
  ['web_portal', 18],
  ['call_center', 17],
  ['whatsapp', 15],
  ['twitter', 7],
  ['walk_in', 5],
]);

/** Photos attached, by channel: none by phone or at the counter, most from the app. */
const PHOTO_COUNTS: Readonly<Record<Channel, WeightedChoices<number> | null>> = {
  mobile_app: new WeightedChoices([
    [0, 25],
    [1, 40],
    [2, 20],
    [3, 10],
    [4, 5],
  ]),
  whatsapp: new WeightedChoices([
    [0, 30],
    [1, 40],
    [2, 18],
    [3, 8],
    [4, 4],
  ]),
  twitter: new WeightedChoices([
    [0, 35],
    [1, 45],
    [2, 15],
    [4, 5],
  ]),
  web_portal: new WeightedChoices([
    [0, 50],
    [1, 30],
    [2, 15],
    [3, 4],
    [4, 1],
  ]),
  call_center: null,
  walk_in: null,
};

/** Degrees per km: latitude, and longitude at Bengaluru's ~13°N (cos 13° ≈ 0.974; a constant keeps output exact across engines). */
const DEG_LAT_PER_KM = 1 / 111.32;
const DEG_LON_PER_KM = 1 / (111.32 * 0.9744);

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

interface RecentLine {
  readonly line: string;
  readonly key: string;
  readonly eventTime: number;
  readonly pii: readonly string[];
}

/** One ticket's values, before rendering. Strings are JSON-safe as they are (see descriptions.ts). */
interface Draft {
  readonly ticketId: string;
  readonly citizenId: string;
  readonly phone: string | undefined;
  /** When there is no phone: send `"phone":null` rather than leaving the field out. */
  readonly phoneNull: boolean;
  readonly submittedAt: string;
  readonly ward: Ward;
  readonly sub: Subcategory;
  readonly lat: number;
  readonly lon: number;
  readonly description: string;
  /** JSON array text. */
  readonly photos: string;
  readonly language: Language;
  readonly channel: Channel;
  /** Raw personal data in the ticket, in field order. */
  readonly pii: string[];
}

for (const w of WARDS) assertJsonSafe(w.label + w.pincode, 'ward');
for (const c of SUBCATEGORIES) assertJsonSafe(c.category + c.name, 'category');

// JSON fragments that depend only on ward, subcategory or (language, channel), built once so a
// valid line is assembled from about fifteen pieces instead of thirty.
const LOCATION_JSON = new Map<Ward, string>(WARDS.map((w) => [w, `","location":{"ward":"${w.label}","pincode":"${w.pincode}","lat":`]));
const CATEGORY_JSON = new Map<Subcategory, string>(SUBCATEGORIES.map((c) => [c, `},"category":"${c.category}","subcategory":"${c.name}","description":"`]));
const TAIL_JSON = new Map<Language, Map<Channel, string>>(
  LANGUAGE_CHOICES.items.map((language) => [
    language,
    new Map(CHANNEL_CHOICES.items.map((channel) => [channel, `,"language":"${language}","channel":"${channel}"}`])),
  ]),
);

/** The valid line: the hot path, ~95% of lines. Same bytes as `renderTicket(ticketJson(d))`. */
function renderValid(d: Draft): string {
  const phone = d.phone !== undefined ? `"phone":"${d.phone}",` : d.phoneNull ? '"phone":null,' : '';
  return `{"ticket_id":"${d.ticketId}","citizen_id":"${d.citizenId}",${phone}"submitted_at":"${d.submittedAt}${LOCATION_JSON.get(d.ward)}${d.lat},"lon":${d.lon}${CATEGORY_JSON.get(d.sub)}${d.description}","photos":${d.photos}${TAIL_JSON.get(d.language)?.get(d.channel)}`;
}

/** The same ticket field by field, for corruptions; renders to the same bytes as `renderValid`. */
function ticketJson(d: Draft): TicketJson {
  return {
    ticket_id: `"${d.ticketId}"`,
    citizen_id: `"${d.citizenId}"`,
    phone: d.phone !== undefined ? `"${d.phone}"` : d.phoneNull ? 'null' : undefined,
    submitted_at: `"${d.submittedAt}"`,
    location: { ward: `"${d.ward.label}"`, pincode: `"${d.ward.pincode}"`, lat: String(d.lat), lon: String(d.lon) },
    category: `"${d.sub.category}"`,
    subcategory: `"${d.sub.name}"`,
    description: `"${d.description}"`,
    photos: d.photos,
    language: `"${d.language}"`,
    channel: `"${d.channel}"`,
  };
}

function ticketFacts(d: Draft): TicketFacts {
  return {
    ticketId: d.ticketId,
    citizenId: d.citizenId,
    phone: d.phone,
    submittedAt: d.submittedAt,
    wardLabel: d.ward.label,
    wardNo: d.ward.no,
    category: d.sub.category,
    subcategory: d.sub.name,
    description: d.description,
    lat: d.lat,
  };
}

/**
 * Generates the stream lazily. Memory is constant in `count`: the only state is the PRNG, a ring
 * of recent lines for duplicates, and pending status updates (bounded by the 14-day horizon).
 *
 * @example
 * for (const { topic, line } of generateTickets({ count: 1000, seed: 1, badRate: 0.05 })) out(topic, line);
 */
export function* generateTickets(options: GeneratorOptions): Generator<GeneratedLine, void, undefined> {
  const o = resolveGeneratorOptions(options);
  // Separate streams per concern, so e.g. status scheduling never shifts which tickets are bad.
  const rng = new Random(o.seed);
  const textRng = rng.derive('text');
  const statusRng = rng.derive('status');
  const badRng = rng.derive('bad');
  const planter = new PiiPlanter(rng.derive('pii-order'));
  const citizens = new CitizenPool(o.seed, CitizenPool.sizeFor(o.count));
  const pending = new EventQueue<number>();
  const recent: RecentLine[] = [];
  let recentNext = 0;
  let validCount = 0;

  const idPrefix = `TKT-${new Date(o.startTime).getUTCFullYear()}-`;
  const ticketId = (ticketNo: number): string => {
    const digits = String(ticketNo);
    return digits.length >= 6 ? idPrefix + digits : idPrefix + (ZERO_PADDING[6 - digits.length] as string) + digits;
  };
  const meanGapMs = SECOND / o.eventsPerSecond;
  let clock = o.startTime;
  let ticketNo = 0;

  const draft = (eventTime: number): Draft => {
    ticketNo++;
    const citizen = citizens.at(citizens.pickIndex(rng));
    const phone = rng.chance(NO_PHONE_SHARE) ? undefined : citizen.phone;
    // Most apps drop an empty phone; some send null. Both mean "no phone".
    const phoneNull = phone === undefined && rng.chance(0.3);
    const ward = WARD_CHOICES.at(rng.float());
    const sub = SUBCATEGORY_CHOICES[ward.profile].at(rng.float());
    const channel = CHANNEL_CHOICES.at(rng.float());
    const language = LANGUAGE_CHOICES.at(rng.float());
    const sentiment = SENTIMENT_CHOICES.at(rng.float());

    // A point within 1 km of the centroid (rejection sampling in the unit disc; no trigonometry).
    let dx: number;
    let dy: number;
    do {
      dx = rng.float() * 2 - 1;
      dy = rng.float() * 2 - 1;
    } while (dx * dx + dy * dy > 1);

    const pii: string[] = phone === undefined ? [citizen.id] : [citizen.id, phone];
    let piiSentences: readonly string[] = NO_SENTENCES;
    if (rng.chance(PII_DESCRIPTION_SHARE)) {
      const sentences: string[] = [];
      piiSentences = sentences;
      const planted = rng.chance(SECOND_PII_SHARE) ? 2 : 1;
      for (let i = 0; i < planted; i++) {
        const variant = planter.next();
        const value = variant.make(textRng);
        pii.push(value);
        sentences.push(piiSentence(textRng, language, variant.type, value));
      }
    }
    const description = describeIssue(textRng, { language, sentiment, subcategory: sub.id, wardName: ward.name, piiSentences });

    const photoCounts = PHOTO_COUNTS[channel];
    const photoCount = photoCounts === null ? 0 : photoCounts.at(rng.float());
    let photos = '[';
    for (let i = 0; i < photoCount; i++) photos += `${i === 0 ? '' : ','}"https://cdn.example.org/p/${textRng.hex(12)}.jpg"`;
    photos += ']';

    return {
      ticketId: ticketId(ticketNo),
      citizenId: citizen.id,
      phone,
      phoneNull,
      submittedAt: isoUtc(eventTime),
      ward,
      sub,
      lat: round4(ward.lat + dy * DEG_LAT_PER_KM),
      lon: round4(ward.lon + dx * DEG_LON_PER_KM),
      description,
      photos,
      language,
      channel,
      pii,
    };
  };

  const statusLine = (): GeneratedLine => {
    const time = pending.peekTime();
    const event = unpackStatus(pending.pop() as number);
    const id = ticketId(event.ticketNo);
    return { topic: STATUS_TOPIC, line: renderStatus(id, event.status, time, event.responseMinutes), kind: 'valid', key: id, eventTime: time };
  };

  for (let i = 0; i < o.count; i++) {
    const hourIst = Math.floor((clock + IST_OFFSET_MS) / 3_600_000) % 24;
    clock += rng.exponential(meanGapMs / (HOURLY_RATE[hourIst] as number));
    const now = Math.floor(clock / SECOND) * SECOND;

    while (pending.peekTime() <= now) yield statusLine();

    if (rng.chance(o.badRate)) {
      if (recent.length > 0 && badRng.chance(DUPLICATE_SHARE_OF_BAD)) {
        const copy = recent[badRng.int(0, recent.length - 1)] as RecentLine;
        yield { topic: TICKETS_TOPIC, line: copy.line, kind: 'duplicate', badReason: 'duplicate', key: copy.key, eventTime: copy.eventTime, pii: copy.pii };
        continue;
      }
      const d = draft(now);
      const reason = BAD_REASON_CHOICES.at(badRng.float());
      const line = corruptTicket(badRng, reason, ticketJson(d), ticketFacts(d));
      // Only what survived the corruption (a truncated line loses its tail).
      const pii = d.pii.filter((v) => line.includes(v));
      yield { topic: TICKETS_TOPIC, line, kind: 'bad', badReason: reason, pii };
      continue;
    }

    const lag = rng.float();
    let eventTime = now;
    let kind: 'valid' | 'late' | 'out_of_order' = 'valid';
    if (lag < LATE_SHARE) {
      kind = 'late';
      eventTime = now - Math.floor(rng.uniform(10 * MINUTE, 60 * MINUTE) / SECOND) * SECOND;
    } else if (lag < LATE_SHARE + OUT_OF_ORDER_SHARE) {
      kind = 'out_of_order';
      eventTime = now - rng.int(1, 120) * SECOND;
    }
    const d = draft(eventTime);
    const line = renderValid(d);
    scheduleStatusUpdates(statusRng, pending, ticketNo, eventTime, d.ward.escalationBase, d.sub);
    if (kind === 'valid' && validCount++ % DUPLICATE_SAMPLE_EVERY === 0) {
      const entry: RecentLine = { line, key: d.ticketId, eventTime, pii: d.pii };
      if (recent.length < DUPLICATE_CANDIDATES) recent.push(entry);
      else recent[recentNext] = entry;
      recentNext = (recentNext + 1) % DUPLICATE_CANDIDATES;
    }
    yield { topic: TICKETS_TOPIC, line, kind, key: d.ticketId, eventTime, pii: d.pii };
  }

  // The input ends; updates already scheduled still arrive, in time order.
  while (pending.size > 0) yield statusLine();
}
