import { WeightedChoices } from '../../../src/generate/random.js';
import type { Priority } from '../columns.js';

/** A support team, the categories it owns, and how many agents it has. */
export interface Team {
  readonly name: string;
  readonly agents: number;
  readonly categories: ReadonlyArray<readonly [category: string, weight: number]>;
  /** Subjects people write for this team's categories; `{n}` becomes a small number. */
  readonly subjects: Readonly<Record<string, readonly string[]>>;
  /** Shifts the priority mix: security incidents skew urgent. */
  readonly urgency: number;
}

export const TEAMS: readonly Team[] = [
  {
    name: 'Network',
    agents: 11,
    urgency: 1.2,
    categories: [['Connectivity', 5], ['VPN', 4], ['Wi-Fi', 3]],
    subjects: {
      Connectivity: ['Site {n} lost internet since morning', 'Intermittent packet loss, floor {n}', 'Cannot reach the intranet'],
      VPN: ['VPN drops every few minutes', 'VPN error 809 when working from home', 'VPN slow, calls breaking up'],
      'Wi-Fi': ['Wi-Fi not visible in meeting room {n}', 'Guest Wi-Fi asks for login again and again', 'Weak signal near the "quiet" zone'],
    },
  },
  {
    name: 'Accounts',
    agents: 9,
    urgency: 0.8,
    categories: [['Password Reset', 6], ['Access Request', 4], ['Account Locked', 3]],
    subjects: {
      'Password Reset': ['Password expired, cannot log in', 'Reset link does not arrive', 'Forgot password after holiday'],
      'Access Request': ['Need access to the finance share', 'Request: CRM read access for new joiner', 'Add me to distribution list {n}'],
      'Account Locked': ['Account locked after {n} attempts', 'Locked out of email, urgent', 'MFA device lost, locked out'],
    },
  },
  {
    name: 'Billing',
    agents: 10,
    urgency: 1.0,
    categories: [['Invoice', 5], ['Refund', 3], ['Payment Failure', 4]],
    subjects: {
      Invoice: ['Invoice {n} shows the wrong amount', 'Duplicate invoice received', 'Need invoice copy for March'],
      Refund: ['Refund not received after {n} days', 'Partial refund, please check', 'Refund to a closed card'],
      'Payment Failure': ['Card payment declined, bank says fine', 'Auto-debit failed this month', 'Payment taken twice, order {n}'],
    },
  },
  {
    name: 'Hardware',
    agents: 8,
    urgency: 0.7,
    categories: [['Laptop', 5], ['Printer', 4], ['Peripheral', 2]],
    subjects: {
      Laptop: ['Laptop will not boot, fan noise', 'Screen flickers after update', 'Battery drains in {n} hours'],
      Printer: ['Printer offline, floor {n}', 'Paper jam on the "big" printer again', 'Printer prints blank pages'],
      Peripheral: ['Docking station not detected', 'Headset microphone not working', 'Need a second monitor'],
    },
  },
  {
    name: 'Applications',
    agents: 12,
    urgency: 1.0,
    categories: [['Email', 5], ['CRM', 4], ['ERP', 3]],
    subjects: {
      Email: ['Outlook keeps asking for password', 'Mailbox full, cannot send', 'Shared calendar not syncing'],
      CRM: ['CRM report {n} times out', 'Cannot save customer notes', 'CRM export missing columns'],
      ERP: ['ERP posting error on month end', 'Purchase order stuck in approval', 'ERP slow between {n} and 11'],
    },
  },
  {
    name: 'Security',
    agents: 6,
    urgency: 2.2,
    categories: [['Phishing Report', 4], ['Malware', 2], ['Data Request', 2]],
    subjects: {
      'Phishing Report': ['Suspicious email asking for bank details', 'Clicked a link, please check', 'Fake invoice mail from "supplier"'],
      Malware: ['Antivirus alert on laptop', 'Pop-ups after installing a tool', 'Files renamed, possible ransomware'],
      'Data Request': ['Need audit log export for case {n}', 'Access review for team {n}', 'Retention question for old mailbox'],
    },
  },
];

/** Every (team, category) with a weight, prepared once for the hot loop. */
export const CATEGORY_CHOICES = new WeightedChoices<readonly [Team, string]>(
  TEAMS.flatMap((team) => team.categories.map(([category, weight]) => [[team, category] as const, weight] as const)),
);

/** Agent ids per team, `AGT-101` …, stable for a team's position in TEAMS. */
export const TEAM_AGENTS: ReadonlyMap<string, readonly string[]> = new Map(
  TEAMS.map((team, t) => [team.name, Array.from({ length: team.agents }, (_, i) => `AGT-${String((t + 1) * 100 + i + 1)}`)]),
);

export const PRIORITY_BASE: ReadonlyArray<readonly [Priority, number]> = [
  ['Critical', 4],
  ['High', 16],
  ['Medium', 50],
  ['Low', 30],
];

/** Resolution SLA in hours by priority, for a standard customer. */
export const SLA_HOURS: Readonly<Record<Priority, number>> = { Critical: 4, High: 8, Medium: 24, Low: 72 };

/** Customer tiers: premium tiers get tighter SLAs. */
export const TIER_CHOICES = new WeightedChoices<readonly [string, number]>([
  [['Standard', 1], 60],
  [['Business', 0.75], 28],
  [['Enterprise', 0.5], 12],
]);

export const CHANNEL_CHOICES = new WeightedChoices<string>([
  ['Email', 40],
  ['Portal', 30],
  ['Phone', 18],
  ['Chat', 12],
]);

/** Median first-response minutes by priority. */
export const FIRST_RESPONSE_MEDIAN_MIN: Readonly<Record<Priority, number>> = { Critical: 8, High: 25, Medium: 80, Low: 220 };

/** Median hands-on resolution hours by priority, before the seasonal load factor. */
export const RESOLUTION_MEDIAN_H: Readonly<Record<Priority, number>> = { Critical: 1.2, High: 3, Medium: 7, Low: 20 };

/** Tickets arrive by hour of day (local): a business-hours hump with a lunch dip and a quiet night. */
export const HOUR_CHOICES = new WeightedChoices<number>(
  [1, 0.6, 0.4, 0.4, 0.5, 0.9, 2, 4, 8, 11, 12, 11, 8, 9, 11, 10, 9, 7, 5, 3.5, 2.5, 2, 1.6, 1.2].map((w, h) => [h, w] as const),
);

/** Monday … Sunday volume factors. */
export const WEEKDAY_FACTOR: readonly number[] = [1.15, 1.1, 1.05, 1.0, 0.95, 0.55, 0.45];
