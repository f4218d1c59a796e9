import { Random, WeightedChoices } from '../../../src/generate/random.js';
import { csvLine, OPS_CSV_COLUMNS, type Priority } from '../columns.js';
import { dayOfYear, type IsoDate, isoDayOfWeek } from '../days.js';
import { badRow } from './bad-rows.js';
import {
  CATEGORY_CHOICES,
  CHANNEL_CHOICES,
  FIRST_RESPONSE_MEDIAN_MIN,
  HOUR_CHOICES,
  PRIORITY_BASE,
  RESOLUTION_MEDIAN_H,
  SLA_HOURS,
  TEAM_AGENTS,
  TIER_CHOICES,
  WEEKDAY_FACTOR,
} from './catalog.js';

export interface OpsDayOptions {
  readonly seed: string;
  /** Average tickets on a weekday at the start of the year; weekends, trend and season scale it. */
  readonly perDay: number;
  /** Share of rows made bad (bad timestamps, unknown priorities, broken rows, duplicates…). */
  readonly badRate: number;
}

/** One generated day: its CSV text (header included) and what went into it. */
export interface OpsDay {
  readonly date: IsoDate;
  readonly csv: string;
  /** Data rows written, bad ones included. */
  readonly rows: number;
  /** Bad rows written, by the error the loader should report for them. */
  readonly bad: Readonly<Record<string, number>>;
}

const MS_MIN = 60_000;
const MS_HOUR = 3_600_000;

/** `YYYY-MM-DD HH:MM:SS` for epoch ms read as a wall clock (no zone: the desk's local time). */
export function formatLocal(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * How overloaded the desk is on a date: 1 most of the year, rising to about 2.3 in early November
 * (a staffing gap) and easing off by late December. It drives resolution times, so the backlog
 * snowballs through the autumn and drains in December, as the seed's backlog table is meant to show.
 */
export function loadFactor(date: IsoDate): number {
  const d = dayOfYear(date);
  const peak = 310;
  const x = (d - peak) / 28;
  return 1 + 1.3 / (1 + x * x * x * x);
}

/** Expected tickets on a date (before noise): weekday pattern × slow growth through the year. */
export function expectedVolume(date: IsoDate, perDay: number): number {
  const weekday = WEEKDAY_FACTOR[isoDayOfWeek(date) - 1] as number;
  return perDay * weekday * (1 + (0.25 * dayOfYear(date)) / 365);
}

function priorityChoices(urgency: number): WeightedChoices<Priority> {
  return new WeightedChoices(PRIORITY_BASE.map(([p, w]) => [p, p === 'Critical' || p === 'High' ? w * urgency : w] as const));
}
const PRIORITY_BY_URGENCY = new Map<number, WeightedChoices<Priority>>();

/**
 * Generates one day file. Each day has its own random stream derived from the seed and the date,
 * so a day's bytes do not depend on which range was generated: Jan–Oct and Jan–Dec agree on every
 * shared day.
 *
 * @example
 * const day = generateOpsDay('2025-03-07', { seed: '1', perDay: 1500, badRate: 0.02 });
 */
export function generateOpsDay(date: IsoDate, options: OpsDayOptions): OpsDay {
  const rng = new Random(`${options.seed}\u0000ops-tickets\u0000${date}`);
  const noise = Math.max(0.5, rng.gaussian(1, 0.08));
  const count = Math.max(0, Math.round(expectedVolume(date, options.perDay) * noise));
  const dayStart = Date.parse(`${date}T00:00:00Z`);
  const load = loadFactor(date);

  // Arrival instants first, sorted, so ticket numbers rise with time as in a real desk.
  const arrivals: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const hour = HOUR_CHOICES.at(rng.float());
    arrivals[i] = dayStart + hour * MS_HOUR + rng.int(0, 3599) * 1000;
  }
  arrivals.sort((a, b) => a - b);

  const dateCompact = date.replace(/-/g, '');
  // Each agent is off two days a week (by position), so the on-duty roster changes daily.
  const weekday = isoDayOfWeek(date);
  const onDutyByTeam = new Map<string, readonly string[]>();
  for (const [team, agents] of TEAM_AGENTS) onDutyByTeam.set(team, agents.filter((_, a) => (a + weekday) % 7 >= 2));
  const lines: string[] = [OPS_CSV_COLUMNS.join(',')];
  const bad: Record<string, number> = {};
  const fields: string[] = new Array(OPS_CSV_COLUMNS.length);
  const goodLines: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = arrivals[i] as number;
    const [team, category] = CATEGORY_CHOICES.at(rng.float());
    let priorities = PRIORITY_BY_URGENCY.get(team.urgency);
    if (priorities === undefined) {
      priorities = priorityChoices(team.urgency);
      PRIORITY_BY_URGENCY.set(team.urgency, priorities);
    }
    const priority = priorities.at(rng.float());
    const [tier, tierFactor] = TIER_CHOICES.at(rng.float());
    const channel = CHANNEL_CHOICES.at(rng.float());
    const onDuty = onDutyByTeam.get(team.name) as readonly string[];
    const slaHours = Math.max(1, Math.round(SLA_HOURS[priority] * tierFactor));

    const stuck = rng.chance(0.003);
    const unassigned = stuck && rng.chance(0.5);
    const agent = unassigned ? '' : rng.pick(onDuty);

    let firstResponse = Number.NaN;
    if (!unassigned) {
      let wait = rng.logNormal(FIRST_RESPONSE_MEDIAN_MIN[priority], 0.9) * MS_MIN;
      const hourOfDay = (created - dayStart) / MS_HOUR;
      // Outside the 08:00–20:00 staffed hours only urgent tickets are picked up before morning.
      if ((hourOfDay < 8 || hourOfDay >= 20) && priority !== 'Critical' && priority !== 'High') {
        const nextMorning = dayStart + (hourOfDay >= 20 ? 24 + 8 : 8) * MS_HOUR;
        wait += nextMorning - created;
      }
      firstResponse = created + Math.max(MS_MIN, Math.round(wait / 1000) * 1000);
    }

    let reopen = 0;
    let resolved = Number.NaN;
    let closed = Number.NaN;
    if (!stuck) {
      const work = rng.logNormal(RESOLUTION_MEDIAN_H[priority] * load, 0.8) * MS_HOUR;
      resolved = Math.max(firstResponse, created + Math.round(work / 1000) * 1000);
      const r = rng.float();
      reopen = r < 0.015 ? 2 : r < 0.085 ? 1 : 0;
      for (let k = 0; k < reopen; k++) resolved += Math.round(rng.logNormal(20, 0.8) * 3600) * 1000;
      if (!rng.chance(0.08)) closed = resolved + Math.round(rng.logNormal(40, 0.6) * 3600) * 1000;
    }
    const status = !Number.isNaN(closed)
      ? 'Closed'
      : !Number.isNaN(resolved)
        ? 'Resolved'
        : Number.isNaN(firstResponse)
          ? 'Open'
          : rng.chance(0.4)
            ? 'Pending'
            : 'In Progress';
    const subjects = team.subjects[category] as readonly string[];

    fields[0] = `OPS-${dateCompact}-${String(i + 1).padStart(5, '0')}`;
    fields[1] = formatLocal(created);
    fields[2] = Number.isNaN(firstResponse) ? '' : formatLocal(firstResponse);
    fields[3] = Number.isNaN(resolved) ? '' : formatLocal(resolved);
    fields[4] = Number.isNaN(closed) ? '' : formatLocal(closed);
    fields[5] = status;
    fields[6] = priority;
    fields[7] = category;
    fields[8] = channel;
    fields[9] = tier;
    fields[10] = team.name;
    fields[11] = agent;
    fields[12] = String(slaHours);
    fields[13] = String(reopen);
    fields[14] = rng.pick(subjects).replace('{n}', String(rng.int(2, 40)));

    const made = options.badRate > 0 && rng.chance(options.badRate) ? badRow(rng, fields, goodLines, date) : null;
    if (made !== null) {
      bad[made.errorType] = (bad[made.errorType] ?? 0) + 1;
      lines.push(made.line);
    } else {
      const line = csvLine(fields);
      lines.push(line);
      goodLines.push(line);
    }
  }
  return { date, csv: `${lines.join('\n')}\n`, rows: lines.length - 1, bad };
}
