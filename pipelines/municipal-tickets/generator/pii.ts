import type { Random } from '../../../src/generate/random.js';
import { ibanCheckDigits, luhnCheckDigit, NI_PREFIX_RULES, nhsCheckDigit, verhoeffCheckDigit } from './checksums.js';
import type { Language } from './descriptions.js';
import { assertJsonSafe } from './ticket-json.js';

/**
 * Personal data citizens type into complaint text, for DLP tests. Every value is valid for its
 * checksum or issuing rules (Luhn cards, mod-97 IBANs, Verhoeff Aadhaar, mod-11 NHS numbers, SSNs
 * in issuable ranges, NI numbers with allowed prefixes), because a good detector ignores numbers
 * that only look right. Phone numbers use ranges reserved for fiction where they exist (UK
 * 020 7946 0xxx, US 555-01xx).
 */

/** The info type a planted value is, named as DLP findings are. */
export type PiiType = 'email' | 'phone' | 'credit_card' | 'iban' | 'ip_address' | 'aadhaar' | 'pan' | 'us_ssn' | 'uk_nhs' | 'uk_ni';

export interface PiiVariant {
  /** e.g. `phone_uk`: one concrete format of a type. */
  readonly name: string;
  readonly type: PiiType;
  readonly make: (rng: Random) => string;
}

const FIRST_NAMES = [
  'arjun',
  'priya',
  'rahul',
  'ananya',
  'vikram',
  'deepa',
  'karthik',
  'lakshmi',
  'mohammed',
  'fatima',
  'suresh',
  'kavya',
  'rohan',
  'meera',
  'john',
  'maria',
];
const LAST_NAMES = ['sharma', 'reddy', 'iyer', 'gowda', 'nair', 'khan', 'rao', 'patel', 'menon', 'shetty', 'kumar', 'das', 'fernandes', 'garcia'];
const EMAIL_DOMAINS = ['gmail.com', 'yahoo.co.in', 'outlook.com', 'rediffmail.com', 'hotmail.com', 'protonmail.com'];
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const UK_BANKS = ['NWBK', 'BARC', 'LOYD', 'HBUK', 'MIDL', 'WEST'];
/** First two octets of Indian ISP address blocks (ACT, Airtel, BSNL, Jio…): plausible public addresses. */
const IPV4_PREFIXES: readonly (readonly [number, number, number])[] = [
  [49, 204, 207],
  [106, 51, 51],
  [117, 192, 255],
  [223, 186, 187],
  [182, 73, 79],
  [27, 4, 7],
];
/** Airtel and Jio /32 prefixes. */
const IPV6_PREFIXES = ['2401:4900', '2409:40f2', '2405:201'];

function group(text: string, size: number, separator: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += size) out += (i === 0 ? '' : separator) + text.slice(i, i + size);
  return out;
}

function letter(rng: Random, alphabet = UPPER): string {
  return alphabet[rng.int(0, alphabet.length - 1)] as string;
}

export function makeEmail(rng: Random): string {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const domain = rng.pick(EMAIL_DOMAINS);
  switch (rng.int(0, 2)) {
    case 0:
      return `${first}.${last}${rng.int(1, 99)}@${domain}`;
    case 1:
      return `${first}${last[0]}${rng.int(70, 99)}@${domain}`;
    default:
      return `${first}_${last}@${domain}`;
  }
}

/** An Indian mobile in the 98xxx series, `+91 98xxx xxxxx` or bare `98xxxxxxxx`. */
export function makeIndianMobile(rng: Random, international: boolean): string {
  const rest = rng.digits(8);
  return international ? `+91 98${rest.slice(0, 3)} ${rest.slice(3)}` : `98${rest}`;
}

export function makeVisa(rng: Random): string {
  const payload = `4${rng.digits(14)}`;
  const number = payload + luhnCheckDigit(payload);
  return rng.chance(0.75) ? group(number, 4, ' ') : number;
}

export function makeMastercard(rng: Random): string {
  const payload = `5${rng.int(1, 5)}${rng.digits(13)}`;
  return group(payload + luhnCheckDigit(payload), 4, rng.chance(0.7) ? ' ' : '-');
}

function formatIban(rng: Random, compact: string): string {
  // Printed IBANs come in groups of four; typed ones are usually run together.
  return rng.chance(0.3) ? group(compact, 4, ' ') : compact;
}

export function makeIbanGb(rng: Random): string {
  const bban = `${rng.pick(UK_BANKS)}${rng.digits(14)}`;
  return formatIban(rng, `GB${ibanCheckDigits('GB', bban)}${bban}`);
}

export function makeIbanDe(rng: Random): string {
  const bban = rng.digits(18);
  return formatIban(rng, `DE${ibanCheckDigits('DE', bban)}${bban}`);
}

export function makeIpv4(rng: Random): string {
  const [a, lo, hi] = rng.pick(IPV4_PREFIXES);
  return `${a}.${rng.int(lo, hi)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export function makeIpv6(rng: Random): string {
  let out = rng.pick(IPV6_PREFIXES);
  const groups = 8 - out.split(':').length;
  for (let i = 0; i < groups; i++) out += `:${rng.int(0, 0xffff).toString(16)}`;
  return out;
}

/** `XXXX XXXX XXXX`, first digit 2–9, Verhoeff check digit last. */
export function makeAadhaar(rng: Random): string {
  const payload = `${rng.int(2, 9)}${rng.digits(10)}`;
  return group(payload + verhoeffCheckDigit(payload), 4, ' ');
}

/** An individual's PAN: `AAAPL1234C` — fourth letter P, fifth the surname's initial. */
export function makePan(rng: Random): string {
  return `${letter(rng)}${letter(rng)}${letter(rng)}P${letter(rng)}${String(rng.int(1, 9999)).padStart(4, '0')}${letter(rng)}`;
}

/** `AAA-GG-SSSS` in issuable ranges: area 001–899 except 666, group 01–99, serial 0001–9999. */
export function makeSsn(rng: Random): string {
  let area = rng.int(1, 899);
  if (area === 666) area = 667;
  return `${String(area).padStart(3, '0')}-${String(rng.int(1, 99)).padStart(2, '0')}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
}

/** `XXX XXX XXXX`, an England range (4xx), modulus-11 check digit; payloads whose check would be 10 are redrawn. */
export function makeNhs(rng: Random): string {
  for (;;) {
    const payload = `4${rng.digits(8)}`;
    const check = nhsCheckDigit(payload);
    if (check !== null) return `${payload.slice(0, 3)} ${payload.slice(3, 6)} ${payload.slice(6)}${check}`;
  }
}

/** `AB123456C` with a prefix HMRC issues and suffix A–D. */
export function makeNi(rng: Random): string {
  for (;;) {
    const prefix = letter(rng, NI_PREFIX_RULES.first) + letter(rng, NI_PREFIX_RULES.second);
    if (!NI_PREFIX_RULES.banned.has(prefix)) return `${prefix}${rng.digits(6)}${letter(rng, 'ABCD')}`;
  }
}

/** Every format planted, each exactly once per cycle of the planter. */
export const PII_VARIANTS: readonly PiiVariant[] = [
  { name: 'email', type: 'email', make: makeEmail },
  { name: 'phone_in_intl', type: 'phone', make: (rng) => makeIndianMobile(rng, true) },
  { name: 'phone_in_local', type: 'phone', make: (rng) => makeIndianMobile(rng, false) },
  { name: 'phone_uk', type: 'phone', make: (rng) => `+44 20 7946 0${rng.digits(3)}` },
  { name: 'phone_us', type: 'phone', make: (rng) => `(415) 555-01${rng.digits(2)}` },
  { name: 'credit_card_visa', type: 'credit_card', make: makeVisa },
  { name: 'credit_card_mastercard', type: 'credit_card', make: makeMastercard },
  { name: 'iban_gb', type: 'iban', make: makeIbanGb },
  { name: 'iban_de', type: 'iban', make: makeIbanDe },
  { name: 'ipv4', type: 'ip_address', make: makeIpv4 },
  { name: 'ipv6', type: 'ip_address', make: makeIpv6 },
  { name: 'aadhaar', type: 'aadhaar', make: makeAadhaar },
  { name: 'pan', type: 'pan', make: makePan },
  { name: 'us_ssn', type: 'us_ssn', make: makeSsn },
  { name: 'uk_nhs', type: 'uk_nhs', make: makeNhs },
  { name: 'uk_ni', type: 'uk_ni', make: makeNi },
];

const ENGLISH: Readonly<Record<PiiType, readonly string[]>> = {
  email: ['You can also reach me at {v} for updates.', 'Please send the acknowledgement to {v} as well.'],
  phone: ['Call me on {v} if the crew cannot find the spot.', 'My contact number is {v} for any clarification.'],
  credit_card: ['I even paid the fee online with card {v} and nothing happened.', 'Charged twice on my card {v} for the same request!'],
  iban: ['Please refund the deposit to my account {v} as promised.', 'The contractor asked for payment to {v} - is this genuine?'],
  ip_address: ['The portal kept timing out from my connection {v} so I am writing here.', 'The error page showed my IP as {v} when I tried to upload photos.'],
  aadhaar: ['My Aadhaar number is {v} for verification.', 'Linking Aadhaar {v} as asked by the helpline.'],
  pan: ['Property tax is paid under PAN {v} so I expect service.', 'My PAN {v} is linked to the khata.'],
  us_ssn: ['I am an NRI visiting family, my SSN is {v} if ID is needed.', 'Giving SSN {v} since the form asked for an ID.'],
  uk_nhs: ['I am a UK resident staying here, NHS number {v} for the health camp form.', 'My NHS number {v} was asked at the ward clinic.'],
  uk_ni: ['My UK National Insurance number is {v} for the ID field.', 'Using NI number {v} as my ID proof.'],
};

/** Other languages: "my <label> is <value>", and a call-me sentence for phones. */
const LABELS: Readonly<Record<Exclude<Language, 'en'>, Readonly<Record<PiiType, string>>>> = {
  hi: {
    email: 'ईमेल',
    phone: 'फ़ोन नंबर',
    credit_card: 'कार्ड नंबर',
    iban: 'बैंक खाता (IBAN)',
    ip_address: 'IP पता',
    aadhaar: 'आधार नंबर',
    pan: 'पैन नंबर',
    us_ssn: 'SSN',
    uk_nhs: 'NHS नंबर',
    uk_ni: 'NI नंबर',
  },
  kn: {
    email: 'ಇಮೇಲ್',
    phone: 'ಫೋನ್ ಸಂಖ್ಯೆ',
    credit_card: 'ಕಾರ್ಡ್ ಸಂಖ್ಯೆ',
    iban: 'ಬ್ಯಾಂಕ್ ಖಾತೆ (IBAN)',
    ip_address: 'IP ವಿಳಾಸ',
    aadhaar: 'ಆಧಾರ್ ಸಂಖ್ಯೆ',
    pan: 'ಪ್ಯಾನ್ ಸಂಖ್ಯೆ',
    us_ssn: 'SSN',
    uk_nhs: 'NHS ಸಂಖ್ಯೆ',
    uk_ni: 'NI ಸಂಖ್ಯೆ',
  },
  ta: {
    email: 'மின்னஞ்சல்',
    phone: 'தொலைபேசி எண்',
    credit_card: 'அட்டை எண்',
    iban: 'வங்கிக் கணக்கு (IBAN)',
    ip_address: 'IP முகவரி',
    aadhaar: 'ஆதார் எண்',
    pan: 'பான் எண்',
    us_ssn: 'SSN',
    uk_nhs: 'NHS எண்',
    uk_ni: 'NI எண்',
  },
  es: {
    email: 'correo',
    phone: 'teléfono',
    credit_card: 'número de tarjeta',
    iban: 'cuenta bancaria (IBAN)',
    ip_address: 'dirección IP',
    aadhaar: 'número Aadhaar',
    pan: 'número PAN',
    us_ssn: 'SSN',
    uk_nhs: 'número del NHS',
    uk_ni: 'número de National Insurance',
  },
};

const MY_LABEL_IS: Readonly<Record<Exclude<Language, 'en'>, string>> = {
  hi: 'मेरा {label} {v} है।',
  kn: 'ನನ್ನ {label} {v} ಆಗಿದೆ.',
  ta: 'என் {label} {v} ஆகும்.',
  es: 'Mi {label} es {v}, por si lo necesitan.',
};

const CALL_ME: Readonly<Record<Exclude<Language, 'en'>, string>> = {
  hi: 'कृपया {v} पर कॉल करें।',
  kn: 'ದಯವಿಟ್ಟು {v} ಗೆ ಕರೆ ಮಾಡಿ.',
  ta: '{v} என்ற எண்ணில் அழைக்கவும்.',
  es: 'Llámenme al {v} si no encuentran el sitio.',
};

for (const text of [
  ...Object.values(ENGLISH).flat(),
  ...Object.values(LABELS).flatMap((l) => Object.values(l)),
  ...Object.values(MY_LABEL_IS),
  ...Object.values(CALL_ME),
]) {
  assertJsonSafe(text, 'PII sentence template');
}

/**
 * A sentence in `language` carrying `value`. The value always stands between spaces or before
 * punctuation, never glued to a word, so detectors can find its boundaries.
 */
export function piiSentence(rng: Random, language: Language, type: PiiType, value: string): string {
  if (language === 'en') return rng.pick(ENGLISH[type]).replace('{v}', value);
  if (type === 'phone' && rng.chance(0.5)) return CALL_ME[language].replace('{v}', value);
  return MY_LABEL_IS[language].replace('{label}', LABELS[language][type]).replace('{v}', value);
}

/**
 * Chooses which format to plant next: a shuffled cycle through every variant, so every type shows
 * up in any run with more than a handful of planted descriptions, in an unpredictable order.
 */
export class PiiPlanter {
  private readonly order: PiiVariant[] = [...PII_VARIANTS];
  private position: number;

  constructor(private readonly rng: Random) {
    this.position = this.order.length;
  }

  next(): PiiVariant {
    if (this.position >= this.order.length) {
      this.rng.shuffleInPlace(this.order);
      this.position = 0;
    }
    return this.order[this.position++] as PiiVariant;
  }
}
