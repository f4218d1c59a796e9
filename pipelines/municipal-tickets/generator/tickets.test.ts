import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GeneratedLine, GeneratorOptions } from '../../../src/generate/generator.js';
import { WELL_FORMED_KINDS } from '../../../src/generate/generator.js';
import { TicketInput } from '../ticket-schema.js';
import { BAD_REASON_CHOICES } from './bad-records.js';
import { ESCALATION_RATE_BOUNDS, SUBCATEGORIES } from './catalog.js';
import { isAadhaarValid, isIbanValid, isLuhnValid, isNhsValid, isNiValid, isSsnValid } from './checksums.js';
import { collectPlantedPii, municipalTicketsGenerator, STATUS_TOPIC, TICKETS_TOPIC } from './index.js';
import { WARDS } from './wards.js';

const generate = (options: GeneratorOptions): GeneratedLine[] => [...municipalTicketsGenerator.generate(options)];
const bytes = (lines: readonly GeneratedLine[]): string => lines.map((l) => `${l.topic}\t${l.line}\n`).join('');

interface Ticket {
  ticket_id: string;
  citizen_id: string;
  phone?: string | null;
  submitted_at: string;
  location: { ward: string; pincode: string; lat: number; lon: number };
  category: string;
  subcategory: string;
  description: string;
  photos: string[];
  language: string;
  channel: string;
}

interface Status {
  ticket_id: string;
  status: string;
  updated_at: string;
  response_minutes?: number;
}

function parsesAndValidates(line: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return false;
  }
  return TicketInput.safeParse(value).success;
}

// One 20k-ticket run shared by the checks below (generation is deterministic, so this is just a cache).
const OPTIONS: GeneratorOptions = { count: 20_000, seed: 'tickets-test', badRate: 0.05 };
const RUN = generate(OPTIONS);
const INPUT = RUN.filter((l) => l.topic === TICKETS_TOPIC);
const STATUS = RUN.filter((l) => l.topic === STATUS_TOPIC);
const WELL_FORMED = INPUT.filter((l) => WELL_FORMED_KINDS.has(l.kind));
const TICKETS = WELL_FORMED.map((l) => JSON.parse(l.line) as Ticket);

describe('municipal tickets generator', () => {
  it('is deterministic: same options, same bytes; another seed, other bytes', () => {
    const options = { count: 3_000, seed: 42, badRate: 0.05 };
    const a = bytes(generate(options));
    assert.equal(bytes(generate(options)), a);
    assert.equal(bytes(generate({ ...options, seed: '42' })), a);
    assert.notEqual(bytes(generate({ ...options, seed: 43 })), a);
    // The iterable starts afresh each time it is iterated.
    const iterable = municipalTicketsGenerator.generate(options);
    assert.equal(bytes([...iterable]), bytes([...iterable]));
    // A longer run begins exactly like a shorter one only in its first line's randomness; the fixed start time holds.
    assert.match(generate({ count: 1, seed: 1, badRate: 0 })[0]?.line ?? '', /"submitted_at":"2026-11-01T00:0/);
  });

  it('writes exactly count input lines, every line one non-empty line of text', () => {
    assert.equal(INPUT.length, OPTIONS.count);
    for (const l of RUN) {
      assert.ok(l.line.length > 0);
      assert.ok(!/[\n\r]/.test(l.line));
    }
    assert.equal(generate({ count: 0, seed: 1, badRate: 0.05 }).length, 0);
  });

  it('honours the bad rate within tolerance over 20k lines', () => {
    const bad = INPUT.filter((l) => l.kind === 'bad' || l.kind === 'duplicate').length / INPUT.length;
    assert.ok(Math.abs(bad - 0.05) < 0.005, `bad share ${bad}`);
    const duplicates = INPUT.filter((l) => l.kind === 'duplicate').length / INPUT.length;
    assert.ok(Math.abs(duplicates - 0.01) < 0.003, `duplicate share ${duplicates}`);
    const late = INPUT.filter((l) => l.kind === 'late').length / INPUT.length;
    const outOfOrder = INPUT.filter((l) => l.kind === 'out_of_order').length / INPUT.length;
    assert.ok(Math.abs(late - 0.95 * 0.005) < 0.002, `late ${late}`);
    assert.ok(Math.abs(outOfOrder - 0.95 * 0.02) < 0.004, `out of order ${outOfOrder}`);

    const clean = generate({ count: 2_000, seed: 5, badRate: 0 }).filter((l) => l.topic === TICKETS_TOPIC);
    assert.ok(clean.every((l) => WELL_FORMED_KINDS.has(l.kind)));
    const allBad = generate({ count: 2_000, seed: 5, badRate: 1 });
    assert.ok(allBad.every((l) => l.kind === 'bad' || l.kind === 'duplicate'));
  });

  it('well-formed lines pass the pipeline schema; bad lines fail parsing or validation', () => {
    for (const l of WELL_FORMED) {
      assert.ok(parsesAndValidates(l.line), l.line);
      assert.equal(JSON.stringify(JSON.parse(l.line)), l.line, 'canonical JSON: no spaces, stable key order');
    }
    const reasons = new Set<string>();
    for (const l of INPUT.filter((x) => x.kind === 'bad')) {
      assert.ok(!parsesAndValidates(l.line), `${l.badReason}: ${l.line}`);
      reasons.add(l.badReason ?? '?');
    }
    assert.deepEqual([...reasons].sort(), [...BAD_REASON_CHOICES.items].sort(), 'every corruption occurs');
    // Field-level corruptions render through a different path than valid lines; minus the
    // garbage, a trailing-garbage line shows that path writes the same canonical JSON.
    for (const l of INPUT.filter((x) => x.badReason === 'trailing_garbage')) {
      const cut = ['}', ',', ' garbage', ']]', '{"ticket_id":"', ';']
        .map((g) => (l.line.endsWith(g) ? l.line.slice(0, -g.length) : ''))
        .find((p) => parsesAndValidates(p));
      assert.ok(cut !== undefined, l.line);
      assert.equal(JSON.stringify(JSON.parse(cut)), cut);
    }
  });

  it('duplicates are byte-exact copies of earlier valid lines', () => {
    const seen = new Set<string>();
    let duplicates = 0;
    for (const l of INPUT) {
      if (l.kind === 'valid') seen.add(l.line);
      if (l.kind === 'duplicate') {
        duplicates++;
        assert.ok(seen.has(l.line));
      }
    }
    assert.ok(duplicates > 100);
    const ids = TICKETS.map((t) => t.ticket_id);
    assert.equal(new Set(ids).size, ids.length, 'ticket ids are unique apart from duplicates');
  });

  it('fills every field realistically', () => {
    const wards = new Map(WARDS.map((w) => [w.label, w]));
    const pairs = new Set(SUBCATEGORIES.map((s) => `${s.category}/${s.name}`));
    const count = (f: (t: Ticket) => boolean): number => TICKETS.filter(f).length / TICKETS.length;
    for (const t of TICKETS) {
      assert.match(t.ticket_id, /^TKT-2026-\d{6}$/);
      assert.match(t.citizen_id, /^CIT-\d{8}$/);
      if (typeof t.phone === 'string') assert.match(t.phone, /^(\+91 [6-9]\d{4} \d{5}|[6-9]\d{9}|\+91[6-9]\d{9})$/);
      assert.match(t.submitted_at, /^2026-1[01]-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      const ward = wards.get(t.location.ward);
      assert.ok(ward !== undefined, t.location.ward);
      assert.equal(t.location.pincode, ward.pincode);
      const km = Math.hypot((t.location.lat - ward.lat) * 111.32, (t.location.lon - ward.lon) * 111.32 * 0.9744);
      assert.ok(km <= 1.01, `${km} km from the centroid`);
      assert.ok(pairs.has(`${t.category}/${t.subcategory}`));
      assert.ok(t.photos.length <= 4 && t.photos.every((p) => /^https:\/\/cdn\.example\.org\/p\/[0-9a-f]{12}\.jpg$/.test(p)));
      assert.ok(['mobile_app', 'web_portal', 'call_center', 'whatsapp', 'walk_in', 'twitter'].includes(t.channel));
      if (t.channel === 'call_center' || t.channel === 'walk_in') assert.equal(t.photos.length, 0);
    }
    assert.ok(Math.abs(count((t) => typeof t.phone !== 'string') - 0.1) < 0.01, 'about 10% without phone');
    // Citizens repeat, and a few file many tickets.
    const perCitizen = new Map<string, number>();
    for (const t of TICKETS) perCitizen.set(t.citizen_id, (perCitizen.get(t.citizen_id) ?? 0) + 1);
    assert.ok(perCitizen.size < TICKETS.length * 0.9);
    assert.ok(Math.max(...perCitizen.values()) >= 10);
    // Skewed volumes: categories and wards are far from uniform.
    const byCategory = new Map<string, number>();
    for (const t of TICKETS) byCategory.set(t.category, (byCategory.get(t.category) ?? 0) + 1);
    assert.ok((byCategory.get('Garbage') ?? 0) > 4 * (byCategory.get('Noise') ?? 0));
    const byWard = new Map<string, number>();
    for (const t of TICKETS) byWard.set(t.location.ward, (byWard.get(t.location.ward) ?? 0) + 1);
    assert.equal(byWard.size, WARDS.length);
    assert.ok(Math.max(...byWard.values()) > 3 * Math.min(...byWard.values()));
  });

  it('writes descriptions in the language the language field names, with varied sentiment', () => {
    const scripts: Record<string, RegExp> = { hi: /[\u0900-\u097F]/, kn: /[\u0C80-\u0CFF]/, ta: /[\u0B80-\u0BFF]/ };
    const anyIndic = /[\u0900-\u0DFF]/;
    const byLanguage = new Map<string, number>();
    for (const t of TICKETS) {
      byLanguage.set(t.language, (byLanguage.get(t.language) ?? 0) + 1);
      const script = scripts[t.language];
      if (script !== undefined) assert.match(t.description, script, t.description);
      else assert.doesNotMatch(t.description, anyIndic, t.description);
      if (t.language === 'es') assert.match(t.description, /\b(de|la|el|en|hay|desde)\b/, t.description);
      if (t.language === 'en') assert.match(t.description, /\b(the|in|near|at|on)\b/, t.description);
    }
    assert.deepEqual([...byLanguage.keys()].sort(), ['en', 'es', 'hi', 'kn', 'ta']);
    assert.ok((byLanguage.get('en') ?? 0) > TICKETS.length / 2);
    const text = TICKETS.map((t) => t.description).join('\n');
    for (const marker of ['Nobody bothers to respond', 'Dear Sir/Madam', 'thank you', 'Please look into it'])
      assert.ok(text.toLowerCase().includes(marker.toLowerCase()), marker);
  });

  it('plants valid personal data of every type in about 15% of descriptions', () => {
    const planted: string[] = [];
    let withPlanted = 0;
    for (const l of WELL_FORMED) {
      const t = JSON.parse(l.line) as Ticket;
      const extra = (l.pii ?? []).filter((v) => v !== t.citizen_id && v !== t.phone);
      for (const v of l.pii ?? []) assert.ok(l.line.includes(v), v);
      for (const v of extra) assert.ok(t.description.includes(v), v);
      if (extra.length > 0) withPlanted++;
      planted.push(...extra);
    }
    const share = withPlanted / WELL_FORMED.length;
    assert.ok(Math.abs(share - 0.15) < 0.015, `share ${share}`);
    const kinds: Record<string, (v: string) => boolean> = {
      email: (v) => /^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$/.test(v),
      phone_in_intl: (v) => /^\+91 98\d{3} \d{5}$/.test(v),
      phone_in_local: (v) => /^98\d{8}$/.test(v),
      phone_uk: (v) => /^\+44 20 7946 0\d{3}$/.test(v),
      phone_us: (v) => /^\(415\) 555-01\d\d$/.test(v),
      visa: (v) => /^4\d{3}( ?\d{4}){3}$/.test(v) && isLuhnValid(v),
      mastercard: (v) => /^5[1-5]\d\d([ -]\d{4}){3}$/.test(v) && isLuhnValid(v),
      iban_gb: (v) => v.startsWith('GB') && isIbanValid(v),
      iban_de: (v) => v.startsWith('DE') && isIbanValid(v),
      ipv4: (v) => /^\d{1,3}(\.\d{1,3}){3}$/.test(v),
      ipv6: (v) => /^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$/.test(v),
      aadhaar: (v) => /^\d{4} \d{4} \d{4}$/.test(v) && isAadhaarValid(v),
      pan: (v) => /^[A-Z]{3}P[A-Z]\d{4}[A-Z]$/.test(v),
      ssn: (v) => /^\d{3}-\d{2}-\d{4}$/.test(v) && isSsnValid(v),
      nhs: (v) => /^\d{3} \d{3} \d{4}$/.test(v) && isNhsValid(v),
      ni: isNiValid,
    };
    for (const [kind, test] of Object.entries(kinds)) assert.ok(planted.some(test), `no ${kind} planted`);
    for (const v of planted)
      assert.ok(
        Object.values(kinds).some((test) => test(v)),
        `unrecognised planted value ${v}`,
      );
  });

  it('lists every raw citizen_id and phone, in valid and bad lines alike, for leak tests', () => {
    const secrets = collectPlantedPii(OPTIONS);
    for (const t of TICKETS) {
      assert.ok(secrets.has(t.citizen_id));
      if (typeof t.phone === 'string') assert.ok(secrets.has(t.phone));
    }
    let truncatedWithBoth = 0;
    for (const l of INPUT.filter((x) => x.kind === 'bad')) {
      for (const id of l.line.match(/CIT-\d{8}/g) ?? []) assert.ok(secrets.has(id), id);
      for (const v of l.pii ?? []) assert.ok(l.line.includes(v) && secrets.has(v));
      if (l.badReason === 'truncated_json' && (l.pii ?? []).length >= 2) truncatedWithBoth++;
    }
    assert.ok(truncatedWithBoth > 20, 'truncated JSON still carries raw citizen_id and phone');
    for (const l of STATUS) assert.equal(l.pii, undefined);
  });

  it('emits status updates only for emitted tickets, after them, in plausible order', () => {
    const position = new Map<string, number>();
    const submitted = new Map<string, number>();
    RUN.forEach((l, i) => {
      if (l.topic === TICKETS_TOPIC && WELL_FORMED_KINDS.has(l.kind) && l.key !== undefined && !position.has(l.key)) {
        position.set(l.key, i);
        submitted.set(l.key, Date.parse((JSON.parse(l.line) as Ticket).submitted_at));
      }
    });
    const history = new Map<string, string[]>();
    let lastTime = Number.NEGATIVE_INFINITY;
    let inOrder = 0;
    RUN.forEach((l, i) => {
      if (l.topic !== STATUS_TOPIC) return;
      const s = JSON.parse(l.line) as Status;
      const at = position.get(s.ticket_id);
      assert.ok(at !== undefined && at < i, `status for ${s.ticket_id} before or without its ticket`);
      const updated = Date.parse(s.updated_at);
      const sub = submitted.get(s.ticket_id) as number;
      assert.ok(updated > sub, l.line);
      assert.equal(l.eventTime, updated);
      if (updated >= lastTime) inOrder++;
      lastTime = Math.max(lastTime, updated);
      assert.ok(['in_progress', 'escalated', 'resolved'].includes(s.status));
      if (s.status === 'resolved') assert.equal(s.response_minutes, Math.max(1, Math.round((updated - sub) / 60_000)));
      else assert.equal(s.response_minutes, undefined);
      assert.ok(updated - sub <= 14 * 86_400_000);
      const h = history.get(s.ticket_id) ?? [];
      h.push(s.status);
      history.set(s.ticket_id, h);
    });
    assert.ok(inOrder / STATUS.length > 0.99, 'status updates arrive in time order (late tickets aside)');
    const rank = { in_progress: 0, escalated: 1, resolved: 2 } as Record<string, number>;
    for (const [id, h] of history) {
      assert.equal(new Set(h).size, h.length, `${id}: ${h}`);
      assert.deepEqual(
        h,
        [...h].sort((a, b) => (rank[a] ?? 0) - (rank[b] ?? 0)),
        `${id}: ${h}`,
      );
    }
    const escalated = [...history.values()].filter((h) => h.includes('escalated')).length / TICKETS.length;
    assert.ok(escalated > 0.05 && escalated < 0.2, `escalated share ${escalated}`);
  });

  it('escalation rates differ by ward and category within 5–25%', () => {
    const escalatedIds = new Set(STATUS.filter((l) => l.line.includes('"escalated"')).map((l) => l.key));
    const rate = (group: (t: Ticket) => string): Map<string, number> => {
      const totals = new Map<string, [number, number]>();
      for (const t of TICKETS) {
        const k = group(t);
        const [e, n] = totals.get(k) ?? [0, 0];
        totals.set(k, [e + (escalatedIds.has(t.ticket_id) ? 1 : 0), n + 1]);
      }
      return new Map([...totals].map(([k, [e, n]]) => [k, e / n]));
    };
    const byCategory = rate((t) => t.category);
    assert.ok((byCategory.get('Water') ?? 0) > 2 * (byCategory.get('Noise') ?? 1), JSON.stringify([...byCategory]));
    const byWard = [...rate((t) => t.location.ward).values()];
    assert.ok(Math.max(...byWard) - Math.min(...byWard) > 0.05);
    // Tracked tickets only are escalated, so the observed rate sits a little under the modelled bounds.
    for (const r of byCategory.values()) assert.ok(r < ESCALATION_RATE_BOUNDS.max + 0.03);
  });

  it('keeps event time mostly in order, with bounded out-of-order and late events', () => {
    let max = Number.NEGATIVE_INFINITY;
    for (const l of INPUT) {
      if (!WELL_FORMED_KINDS.has(l.kind) || l.eventTime === undefined) continue;
      const t = l.eventTime;
      assert.equal(t % 1000, 0);
      if (l.kind === 'valid') assert.ok(t >= max, 'valid events never go back in time');
      if (l.kind === 'out_of_order') assert.ok(max - t <= 120_000 + 60_000, `out of order by ${(max - t) / 1000}s`);
      if (l.kind === 'late') {
        assert.ok(max - t >= 5 * 60_000 && max - t <= 61 * 60_000, `late by ${(max - t) / 60_000} min`);
      }
      max = Math.max(max, t);
    }
    const first = INPUT[0]?.eventTime ?? 0;
    const last = INPUT.at(-1)?.eventTime ?? 0;
    const perMinute = INPUT.length / ((last - first) / 60_000);
    assert.ok(perMinute > 12 && perMinute < 30, `${perMinute} tickets per simulated minute`);
  });
});
