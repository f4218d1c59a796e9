import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/core/errors.js';

/**
 * Time zones without Intl or Temporal: the system's compiled tz database (TZif files under
 * /usr/share/zoneinfo, or $TZDIR) read directly, plus fixed offsets. A zone answers one question,
 * the UTC offset at an instant; local → UTC conversion is built on it in `fire-times.ts`.
 *
 * Why not Intl: the schedule must compute the same fire times in every runtime and in tests with a
 * fake clock, and a TZif reader is small, deterministic and testable against Intl as an oracle.
 */
export interface Zone {
  readonly name: string;
  /** Offset from UTC in milliseconds (local = UTC + offset) in force at `utcMs`. */
  offsetAt(utcMs: number): number;
}

const MS_S = 1000;
const MS_H = 3_600_000;

/** A zone with one offset forever (UTC, `+05:30`). */
export function fixedZone(name: string, offsetMs: number): Zone {
  return Object.freeze({ name, offsetAt: () => offsetMs });
}

/** A POSIX TZ rule date: Jn (1–365, no Feb 29), n (0–365), or Mm.w.d, plus the local time of day. */
type RuleDate = { kind: 'J'; day: number; time: number } | { kind: 'N'; day: number; time: number } | { kind: 'M'; month: number; week: number; weekday: number; time: number };

/** A POSIX TZ string as in a TZif footer, e.g. `CET-1CEST,M3.5.0,M10.5.0/3`. */
export interface PosixRule {
  readonly stdOffset: number;
  readonly dst?: { readonly offset: number; readonly start: RuleDate; readonly end: RuleDate };
}

class Cursor {
  constructor(
    readonly text: string,
    public at = 0,
  ) {}
  peek(): string {
    return this.text[this.at] ?? '';
  }
  take(re: RegExp): string | null {
    const m = re.exec(this.text.slice(this.at));
    if (m === null || m.index !== 0) return null;
    this.at += m[0].length;
    return m[0];
  }
}

function parseHms(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h = '0', m = '0', s = '0'] = text.replace(/^[+-]/, '').split(':');
  return sign * (Number(h) * MS_H + Number(m) * 60_000 + Number(s) * MS_S);
}

function parseRuleDate(c: Cursor): RuleDate {
  let date: RuleDate;
  const m = c.take(/^M\d{1,2}\.\d\.\d/);
  if (m !== null) {
    const [month, week, weekday] = m.slice(1).split('.').map(Number) as [number, number, number];
    date = { kind: 'M', month, week, weekday, time: 2 * MS_H };
  } else if (c.take(/^J/) !== null) {
    date = { kind: 'J', day: Number(c.take(/^\d{1,3}/)), time: 2 * MS_H };
  } else {
    const n = c.take(/^\d{1,3}/);
    if (n === null) throw new Error(`bad rule date at "${c.text.slice(c.at)}"`);
    date = { kind: 'N', day: Number(n), time: 2 * MS_H };
  }
  if (c.take(/^\//) !== null) {
    const t = c.take(/^[+-]?\d{1,3}(:\d{2}){0,2}/);
    if (t === null) throw new Error(`bad rule time at "${c.text.slice(c.at)}"`);
    date.time = parseHms(t);
  }
  return date;
}

/**
 * Parses a POSIX TZ string. Offsets in it are west-positive (`EST5` is UTC−5); the result is
 * east-positive milliseconds like `Zone.offsetAt`.
 */
export function parsePosixRule(text: string): PosixRule {
  const c = new Cursor(text);
  const name = (): void => {
    if (c.take(/^<[^>]*>/) === null && c.take(/^[A-Za-z]{3,}/) === null) throw new Error(`bad zone name in "${text}"`);
  };
  const offset = (): number | null => {
    const t = c.take(/^[+-]?\d{1,3}(:\d{2}){0,2}/);
    // `+ 0` turns the -0 of "UTC0" into 0.
    return t === null ? null : -parseHms(t) + 0;
  };
  name();
  const stdOffset = offset();
  if (stdOffset === null) throw new Error(`no standard offset in "${text}"`);
  if (c.at >= text.length) return { stdOffset };
  name();
  const dstOffset = c.peek() === ',' ? stdOffset + MS_H : (offset() ?? stdOffset + MS_H);
  if (c.take(/^,/) === null) return { stdOffset };
  const start = parseRuleDate(c);
  if (c.take(/^,/) === null) throw new Error(`no end rule in "${text}"`);
  const end = parseRuleDate(c);
  return { stdOffset, dst: { offset: dstOffset, start, end } };
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The local wall-clock instant (as ms since the epoch of a UTC-read wall clock) a rule date names in `year`. */
function ruleWallTime(rule: RuleDate, year: number): number {
  const jan1 = Date.UTC(year, 0, 1);
  if (rule.kind === 'J') {
    // Jn counts 1–365 and never Feb 29.
    const day = rule.day - 1 + (isLeap(year) && rule.day >= 60 ? 1 : 0);
    return jan1 + day * 86_400_000 + rule.time;
  }
  if (rule.kind === 'N') return jan1 + rule.day * 86_400_000 + rule.time;
  const first = Date.UTC(year, rule.month - 1, 1);
  const firstWeekday = new Date(first).getUTCDay();
  let day = 1 + ((rule.weekday - firstWeekday + 7) % 7) + (rule.week - 1) * 7;
  const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
  while (day > daysInMonth) day -= 7; // week 5 = the last such weekday
  return Date.UTC(year, rule.month - 1, day) + rule.time;
}

/** The offset a POSIX rule gives at a UTC instant. */
export function posixOffsetAt(rule: PosixRule, utcMs: number): number {
  const dst = rule.dst;
  if (dst === undefined) return rule.stdOffset;
  const year = new Date(utcMs + rule.stdOffset).getUTCFullYear();
  // The start is given in standard local time, the end in daylight local time.
  const start = ruleWallTime(dst.start, year) - rule.stdOffset;
  const end = ruleWallTime(dst.end, year) - dst.offset;
  const inDst = start < end ? utcMs >= start && utcMs < end : !(utcMs >= end && utcMs < start);
  return inDst ? dst.offset : rule.stdOffset;
}

/**
 * Parses TZif bytes (RFC 8536, versions 1–4) into a zone: the transition table, then the footer
 * rule for instants after the last transition.
 */
export function parseTzif(name: string, bytes: Uint8Array): Zone {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'TZif') throw new Error(`${name} is not a TZif file`);
  const version = bytes[4] === 0 ? 1 : Number(String.fromCharCode(bytes[4] as number));
  const counts = (at: number): number[] => Array.from({ length: 6 }, (_, i) => view.getUint32(at + 20 + i * 4));
  let at = 0;
  let [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at) as [number, number, number, number, number, number];
  let timeSize = 4;
  if (version >= 2) {
    // Skip the 32-bit block; the 64-bit one after it is complete.
    at = 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt;
    [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = counts(at) as [number, number, number, number, number, number];
    timeSize = 8;
  }
  let p = at + 44;
  const transitions: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) {
    transitions.push((timeSize === 8 ? Number(view.getBigInt64(p)) : view.getInt32(p)) * MS_S);
  }
  const indices: number[] = [];
  for (let i = 0; i < timecnt; i++, p++) indices.push(bytes[p] as number);
  const types: Array<{ offset: number; dst: boolean }> = [];
  for (let i = 0; i < typecnt; i++, p += 6) types.push({ offset: view.getInt32(p) * MS_S, dst: bytes[p + 4] === 1 });
  p += charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  let footer: PosixRule | null = null;
  if (version >= 2 && bytes[p] === 0x0a) {
    const end = bytes.indexOf(0x0a, p + 1);
    const text = new TextDecoder().decode(bytes.subarray(p + 1, end));
    if (text !== '') footer = parsePosixRule(text);
  }
  const initial = types.find((t) => !t.dst) ?? types[0] ?? { offset: 0, dst: false };
  const offsets = indices.map((i) => (types[i] ?? initial).offset);
  return Object.freeze({
    name,
    offsetAt(utcMs: number): number {
      if (transitions.length === 0 || utcMs < (transitions[0] as number)) return transitions.length === 0 && footer !== null ? posixOffsetAt(footer, utcMs) : initial.offset;
      if (utcMs >= (transitions[transitions.length - 1] as number) && footer !== null) return posixOffsetAt(footer, utcMs);
      let lo = 0;
      let hi = transitions.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if ((transitions[mid] as number) <= utcMs) lo = mid;
        else hi = mid - 1;
      }
      return offsets[lo] as number;
    },
  });
}

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * A zone by name: `UTC`, a fixed offset (`+05:30`, `-0800`), or an IANA name read from
 * $TZDIR or /usr/share/zoneinfo.
 *
 * @example
 * const ist = loadZone('Asia/Kolkata');
 * ist.offsetAt(Date.now()); // 19800000
 */
export function loadZone(name: string, tzdir = process.env.TZDIR ?? '/usr/share/zoneinfo'): Zone {
  if (name === 'UTC' || name === 'Z' || name === 'Etc/UTC') return fixedZone('UTC', 0);
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(name);
  if (fixed !== null) {
    const ms = (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
    if (ms > 18 * MS_H) throw new ConfigError(`--tz ${name}: offsets go up to ±18:00`);
    return fixedZone(name, fixed[1] === '-' ? -ms : ms);
  }
  if (!IANA_NAME.test(name) || name.includes('..')) {
    throw new ConfigError(`--tz "${name}" is not a time zone name: use an IANA name such as Asia/Kolkata, UTC, or a fixed offset such as +05:30`);
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(tzdir, name));
  } catch (error) {
    throw new ConfigError(`unknown time zone "${name}" (no ${join(tzdir, name)}). Use an IANA name such as Asia/Kolkata, or a fixed offset such as +05:30.`, { cause: error });
  }
  try {
    return parseTzif(name, bytes);
  } catch (error) {
    throw new ConfigError(`cannot read time zone "${name}" from ${join(tzdir, name)}: ${(error as Error).message}`, { cause: error });
  }
}
