import type { EventQueue } from '../../../src/generate/event-queue.js';
import { isoUtc } from '../../../src/generate/iso-time.js';
import type { Random } from '../../../src/generate/random.js';
import { escalationRate, type Subcategory } from './catalog.js';

/**
 * Later lifecycle events of a ticket, on topic `tickets.status`:
 * `{"ticket_id","status":"in_progress"|"escalated"|"resolved","updated_at","response_minutes"?}`.
 * Escalation probability depends on ward and category (5–25%); time to resolution is log-normal
 * (median hours to days by subcategory, long tail), capped at `MAX_STATUS_DELAY_MS` so the queue of
 * pending events — and so memory — stays bounded however long the run.
 */

export type TicketStatus = 'in_progress' | 'escalated' | 'resolved';

const STATUSES: readonly TicketStatus[] = ['in_progress', 'escalated', 'resolved'];

/**
 * A pending update packed into one number — ticket number, status and response minutes — so the
 * queue holds plain doubles: tens of thousands of pending updates cost no allocations and no
 * garbage-collector time.
 */
const MINUTES_SPAN = 32_768; // response minutes ≤ 14 days = 20,160 < 2¹⁵
const STATUS_SPAN = 4;

function pack(ticketNo: number, status: number, responseMinutes: number): number {
  return (ticketNo * STATUS_SPAN + status) * MINUTES_SPAN + responseMinutes;
}

export interface StatusEvent {
  readonly ticketNo: number;
  readonly status: TicketStatus;
  /** Minutes from submission to resolution; only on `resolved`. */
  readonly responseMinutes?: number;
}

/** The update a queued number stands for (see `pack`). */
export function unpackStatus(packed: number): StatusEvent {
  const responseMinutes = packed % MINUTES_SPAN;
  const rest = (packed - responseMinutes) / MINUTES_SPAN;
  const status = STATUSES[rest % STATUS_SPAN] as TicketStatus;
  const ticketNo = Math.floor(rest / STATUS_SPAN);
  return status === 'resolved' ? { ticketNo, status, responseMinutes } : { ticketNo, status };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** No update arrives more than 14 days after its ticket. */
export const MAX_STATUS_DELAY_MS = 14 * 24 * HOUR;

/** Share of tickets that never get an update (closed offline, or simply ignored). */
const UNTRACKED_SHARE = 0.15;
/** Share of non-escalated tracked tickets resolved within the horizon. */
const RESOLVED_SHARE = 0.75;
/** Share of escalated tickets later resolved. */
const ESCALATED_RESOLVED_SHARE = 0.6;
/** Share of tickets acknowledged as in progress before anything else happens. */
const IN_PROGRESS_SHARE = 0.6;

function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/**
 * Draws a ticket's future updates and queues them by time. Draws a fixed number of values from
 * `rng` per branch, so the stream is reproducible.
 */
export function scheduleStatusUpdates(
  rng: Random,
  queue: EventQueue<number>,
  ticketNo: number,
  submittedAt: number,
  wardEscalationBase: number,
  subcategory: Subcategory,
): void {
  if (rng.chance(UNTRACKED_SHARE)) return;
  const horizon = submittedAt + MAX_STATUS_DELAY_MS;
  let escalatedAt: number | undefined;
  let resolvedAt: number | undefined;

  if (rng.chance(escalationRate(wardEscalationBase, subcategory))) {
    // Escalations follow a missed SLA: hours to a few days after submission.
    escalatedAt = wholeSecond(submittedAt + rng.uniform(4 * HOUR, 72 * HOUR));
    if (rng.chance(ESCALATED_RESOLVED_SHARE)) resolvedAt = wholeSecond(escalatedAt + MINUTE + rng.logNormal(24 * HOUR, 0.8));
  } else if (rng.chance(RESOLVED_SHARE)) {
    resolvedAt = wholeSecond(submittedAt + MINUTE + rng.logNormal(subcategory.resolutionMedianHours * HOUR, 1.1));
  }
  if (resolvedAt !== undefined && resolvedAt > horizon) resolvedAt = undefined;

  const first = escalatedAt ?? resolvedAt;
  if (rng.chance(IN_PROGRESS_SHARE)) {
    // Acknowledged somewhere between submission and the next update (or within hours if none).
    const at = first !== undefined ? submittedAt + rng.uniform(0.1, 0.6) * (first - submittedAt) : submittedAt + rng.logNormal(2 * HOUR, 1);
    const inProgressAt = Math.min(wholeSecond(at), horizon);
    if (inProgressAt > submittedAt && (first === undefined || inProgressAt < first)) {
      queue.push(inProgressAt, pack(ticketNo, 0, 0));
    }
  }
  if (escalatedAt !== undefined) queue.push(escalatedAt, pack(ticketNo, 1, 0));
  if (resolvedAt !== undefined) {
    const responseMinutes = Math.max(1, Math.round((resolvedAt - submittedAt) / MINUTE));
    queue.push(resolvedAt, pack(ticketNo, 2, responseMinutes));
  }
}

/** The `tickets.status` line for an update at `time` of the ticket with id `ticketId`. */
export function renderStatus(ticketId: string, status: TicketStatus, time: number, responseMinutes: number | undefined): string {
  const tail = responseMinutes === undefined ? '' : `,"response_minutes":${responseMinutes}`;
  return `{"ticket_id":"${ticketId}","status":"${status}","updated_at":"${isoUtc(time)}"${tail}}`;
}
