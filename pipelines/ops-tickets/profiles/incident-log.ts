import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError } from '../../../src/core/errors.js';
import { csvLine, OPS_CSV_COLUMNS, type OpsCsvRecord } from '../columns.js';
import { addDays, type IsoDate } from '../days.js';
import { dayFilePath } from '../layout.js';
import type { PreparedErrorRow } from '../sql/models.js';

/**
 * The `incident-log` input profile: an IT service desk's incident event log (ServiceNow export,
 * UCI "Incident management process enriched event log") mapped onto the ops-tickets columns.
 *
 * The log has several rows per incident, one per change (`sys_mod_count` counts them), `?` for
 * null and `DD-MM-YYYY hh:mm` times. Mapping, per incident `number`:
 *
 * | ops column | from the log |
 * |---|---|
 * | ticket_id | number |
 * | created_at | opened_at (`DD-MM-YYYY hh:mm` → `YYYY-MM-DD hh:mm:00`) |
 * | first_response_at | sys_updated_at of the first event whose incident_state is not `New` |
 * | resolved_at, closed_at | resolved_at, closed_at of the latest event |
 * | status | incident_state of the latest event (highest sys_mod_count, then file order) |
 * | priority | `1 - Critical` → Critical, `2 - High` → High, `3 - Moderate` → Medium, `4 - Low` → Low |
 * | sla_hours | by priority, the desk defaults: Critical 4, High 8, Medium 24, Low 72 (the log has no SLA target) |
 * | category, channel | category, contact_type |
 * | team, agent_id | assignment_group, assigned_to (anonymised codes in the source) |
 * | reopen_count | reopen_count of the latest event |
 * | subject | u_symptom (a code) |
 * | customer_tier | — (not in the log) |
 *
 * Caller, opener, creator and updater columns are never read, so no person's identifier reaches a
 * table or an error row. Earlier events of an incident are merged into its ticket ("superseded",
 * counted); an event row without a usable number, sys_mod_count or (on the latest event) opened_at
 * becomes an error row; everything else is checked by the same SQL rules as any day file.
 */
export const INCIDENT_LOG_PROFILE = 'incident-log';

const PRIORITY_MAP: Readonly<Record<string, string>> = { '1 - Critical': 'Critical', '2 - High': 'High', '3 - Moderate': 'Medium', '4 - Low': 'Low' };
const SLA_BY_PRIORITY: Readonly<Record<string, string>> = { Critical: '4', High: '8', Medium: '24', Low: '72' };
const REQUIRED = ['number', 'incident_state', 'sys_mod_count', 'opened_at', 'sys_updated_at', 'resolved_at', 'closed_at', 'priority', 'assignment_group', 'assigned_to'];
/** What an error row may show of an event: the columns the mapping reads, none that name a person. */
const SAFE_COLUMNS = ['number', 'incident_state', 'sys_mod_count', 'reopen_count', 'opened_at', 'sys_updated_at', 'resolved_at', 'closed_at', 'priority', 'category', 'assignment_group', 'assigned_to'];

export interface IncidentLogAccounting {
  /** Event rows in the file. */
  readonly events: number;
  /** Incidents turned into one ticket row each (then checked by the SQL rules like any row). */
  readonly tickets: number;
  /** Earlier events merged into their incident's ticket. */
  readonly superseded: number;
  /** Event rows that could not be used, as error rows. */
  readonly errored: number;
}

export interface IncidentLogConversion {
  /** A folder of day files in the ops layout, to backfill; remove with `dispose`. */
  readonly dir: string;
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly errors: readonly PreparedErrorRow[];
  readonly accounting: IncidentLogAccounting;
  dispose(): void;
}

const NULL = '?';

function value(text: string | undefined): string {
  const v = (text ?? '').trim();
  return v === NULL ? '' : v;
}

/** `29-02-2016 01:16` → `2016-02-29 01:16:00`; anything else is returned as it was, for the SQL rules to judge. */
export function incidentTime(text: string): string {
  const v = value(text);
  const m = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})$/.exec(v);
  return m === null ? v : `${m[3]}-${m[2]}-${m[1]} ${m[4]}:${m[5]}:00`;
}

function safePayload(row: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(SAFE_COLUMNS.filter((c) => c in row).map((c) => [c, row[c]])));
}

interface Event {
  readonly index: number;
  readonly row: Record<string, string>;
  readonly mod: number;
}

/**
 * Reads the incident log and writes one ticket row per incident into day files (by opened_at) in
 * a temporary folder, ready for `runBackfill`; unusable event rows come back as error rows.
 *
 * @example
 * const converted = convertIncidentLog('../shared/data/real/incident-event-log.csv');
 * try { await runBackfill({ backend, dir: converted.dir, preparedErrors: converted.errors }); } finally { converted.dispose(); }
 */
export function convertIncidentLog(path: string): IncidentLogConversion {
  const text = readFileSync(path, 'utf8');
  const rows = parse(text, { columns: true, bom: true, relax_column_count: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const header = Object.keys(rows[0] ?? {});
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (rows.length > 0 && missing.length > 0) {
    throw new ConfigError(`${path} is not an incident event log: it lacks ${missing.join(', ')}. The incident-log profile reads the ServiceNow incident event export.`);
  }
  const source = basename(path);
  const errors: PreparedErrorRow[] = [];
  const byIncident = new Map<string, Event[]>();
  rows.forEach((row, index) => {
    const number = value(row.number);
    const mod = value(row.sys_mod_count);
    const problem = number === '' ? ['missing_field', 'number is empty'] : !/^\d+$/.test(mod) ? ['invalid_value', `sys_mod_count ${mod || '(empty)'} is not a whole number`] : null;
    if (problem !== null) {
      errors.push({ id: `${source}:R${index + 2}`, opsDate: null, ticketId: number || null, step: 'profile', errorType: problem[0] as string, errorMessage: problem[1] as string, rawPayload: safePayload(row), source });
      return;
    }
    const events = byIncident.get(number) ?? [];
    events.push({ index, row, mod: Number(mod) });
    byIncident.set(number, events);
  });

  const days = new Map<IsoDate, string[]>();
  let tickets = 0;
  let superseded = 0;
  for (const [number, events] of byIncident) {
    events.sort((a, b) => a.mod - b.mod || a.index - b.index);
    const last = events[events.length - 1] as Event;
    const created = incidentTime(last.row.opened_at ?? '');
    if (!/^\d{4}-\d{2}-\d{2} /.test(created)) {
      // Without a creation day the ticket has no day file to go to.
      for (const e of events) {
        errors.push({ id: `${source}:R${e.index + 2}`, opsDate: null, ticketId: number, step: 'profile', errorType: 'bad_timestamp', errorMessage: `opened_at ${created || '(empty)'} is not DD-MM-YYYY hh:mm`, rawPayload: safePayload(e.row), source });
      }
      continue;
    }
    const firstAction = events.find((e) => value(e.row.incident_state) !== 'New' && value(e.row.incident_state) !== '');
    const priority = value(last.row.priority);
    const mapped = PRIORITY_MAP[priority] ?? priority;
    const record: OpsCsvRecord = {
      ticket_id: number,
      created_at: created,
      first_response_at: firstAction === undefined ? '' : incidentTime(firstAction.row.sys_updated_at ?? ''),
      resolved_at: incidentTime(last.row.resolved_at ?? ''),
      closed_at: incidentTime(last.row.closed_at ?? ''),
      status: value(last.row.incident_state),
      priority: mapped,
      category: value(last.row.category),
      channel: value(last.row.contact_type),
      customer_tier: '',
      team: value(last.row.assignment_group),
      agent_id: value(last.row.assigned_to),
      sla_hours: SLA_BY_PRIORITY[mapped] ?? '',
      reopen_count: value(last.row.reopen_count),
      subject: value(last.row.u_symptom),
    };
    const date = created.slice(0, 10);
    const lines = days.get(date) ?? [];
    lines.push(csvLine(OPS_CSV_COLUMNS.map((c) => record[c])));
    days.set(date, lines);
    tickets++;
    superseded += events.length - 1;
  }

  const dir = mkdtempSync(join(tmpdir(), 'sluice-incident-log-'));
  const dates = [...days.keys()].sort();
  const from = dates[0];
  const to = dates[dates.length - 1];
  if (from === undefined || to === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new ConfigError(`${path} has no incident with a usable opened_at: nothing to load.`);
  }
  // Every day from the first to the last gets a file (an empty one if nobody opened an incident),
  // so the processed days stay contiguous and the backlog carries across quiet days.
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const file = dayFilePath(dir, d);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${OPS_CSV_COLUMNS.join(',')}\n${(days.get(d) ?? []).map((l) => `${l}\n`).join('')}`);
  }
  return {
    dir,
    from,
    to,
    errors,
    accounting: { events: rows.length, tickets, superseded, errored: errors.length },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

