import { ConfigError } from '../core/errors.js';
import { creditCardDetector } from './detectors/credit-card.js';
import type { Detector, FindingSink } from './detectors/detector.js';
import { emailDetector } from './detectors/email.js';
import { ibanDetector } from './detectors/iban.js';
import { indiaAadhaarDetector } from './detectors/india-aadhaar.js';
import { indiaPanDetector } from './detectors/india-pan.js';
import { ipv4Detector, ipv6Detector } from './detectors/ip-address.js';
import { phoneDetector } from './detectors/phone.js';
import { emptyProfile, profileText } from './detectors/text-profile.js';
import { ukNationalInsuranceDetector } from './detectors/uk-national-insurance.js';
import { ukNhsDetector } from './detectors/uk-nhs.js';
import { usSsnDetector } from './detectors/us-ssn.js';
import { type DlpFinding, INFO_TYPES, type InfoType, isInfoType } from './info-types.js';

export { type DlpFinding, INFO_TYPES, type InfoType, isInfoType } from './info-types.js';

const DETECTORS: readonly Detector[] = [
  emailDetector,
  ibanDetector,
  creditCardDetector,
  indiaAadhaarDetector,
  usSsnDetector,
  ukNhsDetector,
  ukNationalInsuranceDetector,
  indiaPanDetector,
  ipv4Detector,
  ipv6Detector,
  phoneDetector,
];

/**
 * Which info types to look for; all of them when absent.
 *
 * @example
 * dlpScan(text, { infoTypes: ['EMAIL_ADDRESS', 'PHONE_NUMBER'] });
 */
export interface DlpScanOptions {
  readonly infoTypes?: readonly InfoType[];
}

/**
 * A compiled set of detectors. `scan` may be passed around detached from its scanner.
 *
 * @example
 * const { scan } = createDlpScanner();
 * const findings = scan(ticket.description);
 */
export interface DlpScanner {
  readonly infoTypes: readonly InfoType[];
  /** Findings sorted by `start`, never overlapping. */
  scan(text: string): DlpFinding[];
}

/**
 * Builds a scanner for the chosen info types. Findings never overlap: when two candidates do,
 * the stronger type wins — EMAIL_ADDRESS > IBAN_CODE > CREDIT_CARD_NUMBER > INDIA_AADHAAR >
 * US_SOCIAL_SECURITY_NUMBER > UK_NHS_NUMBER (written 3-3-4) > UK_NATIONAL_INSURANCE_NUMBER >
 * INDIA_PAN > IP_ADDRESS > PHONE_NUMBER > UK_NHS_NUMBER (plain ten digits) — then the longer
 * span, then the earlier. So a valid Aadhaar or card number is never also a phone number.
 *
 * A number embedded in a longer digit run (digits joined by single spaces or dashes) is not
 * reported as an identifier; boundaries are ASCII, so numbers touching Indic letters are found.
 *
 * @example
 * const scanner = createDlpScanner({ infoTypes: ['EMAIL_ADDRESS', 'PHONE_NUMBER'] });
 * scanner.scan('call 9876543210'); // [{ type: 'PHONE_NUMBER', start: 5, end: 15 }]
 */
export function createDlpScanner(options: DlpScanOptions = {}): DlpScanner {
  const requested = options.infoTypes ?? INFO_TYPES;
  for (const type of requested) {
    if (!isInfoType(type)) throw new ConfigError(`unknown DLP info type "${String(type)}"; known: ${INFO_TYPES.join(', ')}`);
  }
  const wanted = new Set<InfoType>(requested);
  const infoTypes = Object.freeze(INFO_TYPES.filter((t) => wanted.has(t)));
  const detectors = DETECTORS.filter((d) => wanted.has(d.type));

  // Per-scanner scratch space, reused by every call: scanning is synchronous, so calls never
  // interleave, and the hot path then allocates nothing unless something is found.
  const profile = emptyProfile();
  const types: InfoType[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const priorities: number[] = [];
  let count = 0;
  const sink: FindingSink = {
    add(type, start, end, priority) {
      types[count] = type;
      starts[count] = start;
      ends[count] = end;
      priorities[count] = priority;
      count++;
    },
  };
  const finding = (i: number): DlpFinding => ({ type: types[i] as InfoType, start: starts[i] as number, end: ends[i] as number });

  const resolve = (): DlpFinding[] => {
    const byStart = Array.from({ length: count }, (_, i) => i);
    byStart.sort((a, b) => (starts[a] as number) - (starts[b] as number) || (ends[b] as number) - (ends[a] as number));
    let overlapping = false;
    for (let k = 1; k < count && !overlapping; k++) {
      overlapping = (starts[byStart[k] as number] as number) < (ends[byStart[k - 1] as number] as number);
    }
    if (!overlapping) return byStart.map(finding);

    const byStrength = byStart
      .slice()
      .sort(
        (a, b) =>
          (priorities[b] as number) - (priorities[a] as number) ||
          (ends[b] as number) - (starts[b] as number) - ((ends[a] as number) - (starts[a] as number)) ||
          (starts[a] as number) - (starts[b] as number),
      );
    const kept: number[] = [];
    for (const i of byStrength) {
      const s = starts[i] as number;
      const e = ends[i] as number;
      if (kept.every((j) => e <= (starts[j] as number) || s >= (ends[j] as number))) kept.push(i);
    }
    kept.sort((a, b) => (starts[a] as number) - (starts[b] as number));
    return kept.map(finding);
  };

  const scan = (text: string): DlpFinding[] => {
    if (text.length === 0) return [];
    profileText(text, profile);
    count = 0;
    for (const detector of detectors) {
      if (detector.mayMatch(profile)) detector.find(text, sink);
    }
    if (count === 0) return [];
    if (count === 1) return [finding(0)];
    return resolve();
  };

  return { infoTypes, scan };
}

let defaultScanner: DlpScanner | undefined;
const scannersByTypes = new Map<string, DlpScanner>();

function scannerFor(options: DlpScanOptions | undefined): DlpScanner {
  if (options?.infoTypes === undefined) {
    defaultScanner ??= createDlpScanner();
    return defaultScanner;
  }
  const key = [...options.infoTypes].sort().join(',');
  let scanner = scannersByTypes.get(key);
  if (scanner === undefined) {
    scanner = createDlpScanner(options);
    scannersByTypes.set(key, scanner);
  }
  return scanner;
}

/**
 * Finds personal data in free text with the built-in detectors (see {@link createDlpScanner}
 * for the rules). Scanners are compiled once and cached per set of info types.
 *
 * @example
 * dlpScan('mail a.b@example.com or call +91 98765 43210');
 * // [{ type: 'EMAIL_ADDRESS', start: 5, end: 20 }, { type: 'PHONE_NUMBER', start: 29, end: 44 }]
 */
export function dlpScan(text: string, options?: DlpScanOptions): DlpFinding[] {
  return scannerFor(options).scan(text);
}

const defaultMask = (finding: DlpFinding): string => `[${finding.type}]`;

/**
 * Replaces each finding's span by `mask(finding)` (default `[TYPE]`). Findings are expected
 * sorted and non-overlapping, as `dlpScan` returns them; one overlapping an earlier finding is
 * skipped.
 *
 * @example
 * maskFindings('call 9876543210', dlpScan('call 9876543210')); // 'call [PHONE_NUMBER]'
 * maskFindings(text, findings, () => '***');
 */
export function maskFindings(text: string, findings: readonly DlpFinding[], mask: (finding: DlpFinding) => string = defaultMask): string {
  if (findings.length === 0) return text;
  let ordered = findings;
  for (let i = 1; i < findings.length; i++) {
    if ((findings[i] as DlpFinding).start < (findings[i - 1] as DlpFinding).start) {
      ordered = findings.slice().sort((a, b) => a.start - b.start);
      break;
    }
  }
  let out = '';
  let cursor = 0;
  for (const f of ordered) {
    if (f.start < cursor) continue;
    out += text.slice(cursor, f.start) + mask(f);
    cursor = f.end;
  }
  return out + text.slice(cursor);
}

/**
 * What {@link dlpScanAndMask} returns: the findings and the text with each one masked.
 *
 * @example
 * const { findings, masked } = dlpScanAndMask(description);
 */
export interface DlpMaskResult {
  readonly findings: DlpFinding[];
  readonly masked: string;
}

/**
 * Scans and masks in one call.
 *
 * @example
 * dlpScanAndMask('SSN 123-45-6789').masked; // 'SSN [US_SOCIAL_SECURITY_NUMBER]'
 */
export function dlpScanAndMask(text: string, options?: DlpScanOptions): DlpMaskResult {
  const findings = dlpScan(text, options);
  return { findings, masked: findings.length === 0 ? text : maskFindings(text, findings) };
}
