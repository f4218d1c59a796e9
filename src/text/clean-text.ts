/**
 * Text cleaning for the seed's `description_clean`.
 */

// Most descriptions are already clean ASCII; for them cleanText is one character-class scan
// and two native substring checks. (A single regex with `^ | $| {2}` alternatives cost ~4×.)
const NOT_PLAIN_ASCII = /[^\x20-\x25\x27-\x3b\x3d-\x7e]/; // anything but printable ASCII without '&' and '<'
const NON_ASCII = /[\u0080-\uffff]/;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
// Tag-shaped only (a letter or '/' right after '<'), so "temperature <30 and >20" survives.
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?\/?>/g;
const HTML_ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g;
/**
 * C0/C1 controls other than whitespace, and invisible format characters that only hide text:
 * soft hyphen, zero-width space, word joiner, BOM, bidi embeddings/overrides/isolates.
 * ZWJ and ZWNJ (U+200C/D) stay: Devanagari, Kannada and Tamil use them to pick conjunct forms.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is this regex's job
const INVISIBLE = /[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]/g;
/**
 * Whitespace to rewrite: runs of two or more, and any single character other than a plain space.
 * Matching every single space too made the replace copy the whole string (~2.5 µs per Hindi
 * description). JavaScript's \s leaves out NEL (U+0085), a line break from some older tools.
 */
const UNTIDY_WHITESPACE = /[\s\x85]{2,}|[^\S ]|\x85/g;

const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['nbsp', ' '],
  ['ndash', '–'],
  ['mdash', '—'],
  ['hellip', '…'],
  ['lsquo', '‘'],
  ['rsquo', '’'],
  ['ldquo', '“'],
  ['rdquo', '”'],
  ['copy', '©'],
  ['reg', '®'],
  ['trade', '™'],
  ['deg', '°'],
  ['euro', '€'],
  ['pound', '£'],
  ['times', '×'],
  ['middot', '·'],
]);

function decodeEntity(entity: string, decimal: string | undefined, hex: string | undefined, name: string | undefined): string {
  if (decimal !== undefined || hex !== undefined) {
    const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex as string, 16);
    // Surrogates and out-of-range code points are not characters; drop them like other junk.
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) return '';
    return String.fromCodePoint(code);
  }
  if (name === undefined) return entity;
  // An unknown name is more likely markup debris than text someone meant; it goes.
  return NAMED_ENTITIES.get(name.toLowerCase()) ?? '';
}

/**
 * Cleans a free-text description: Unicode NFKC (full-width and compatibility forms become
 * ordinary characters), HTML comments and tags removed, entities decoded (`&amp;` → `&`,
 * `&#8377;` → `₹`), control and invisible characters removed, whitespace collapsed to single
 * spaces, ends trimmed. Every script is kept as written: descriptions come in English, Hindi,
 * Kannada, Tamil, Spanish….
 *
 * Case is kept on purpose: the cleaned text is read by people on dashboards and fed to models
 * that use case (names, acronyms like "MG Road" or "BBMP"); anything that wants lower case can
 * fold it itself, but folded text cannot be unfolded.
 *
 * @example
 * cleanText('  Pothole&nbsp;on <b>MG&nbsp;Road</b>\n\n near   stop 14 '); // 'Pothole on MG Road near stop 14'
 */
export function cleanText(text: string): string {
  if (!NOT_PLAIN_ASCII.test(text) && !text.includes('  ') && text.charCodeAt(0) !== 32 && text.charCodeAt(text.length - 1) !== 32) return text;
  let s = text;
  if (s.includes('<')) s = s.replace(HTML_COMMENT, ' ').replace(HTML_TAG, ' ');
  if (s.includes('&')) s = s.replace(HTML_ENTITY, decodeEntity);
  // After decoding, so `&#xFF21;` is normalised like a literal full-width 'Ａ'.
  if (NON_ASCII.test(s)) s = s.normalize('NFKC');
  s = s.replace(INVISIBLE, '');
  return s.replace(UNTIDY_WHITESPACE, ' ').trim();
}
