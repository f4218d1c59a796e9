import type { Detector } from './detector.js';
import { forEachMatch, Priority } from './detector.js';

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;

/**
 * Dotted quads with octets 0–255 and no leading zeros. Not preceded by a letter or dot, so the
 * tail of `v1.2.3.4.5` or a longer dotted number is not an address.
 */
const IPV4 = new RegExp(String.raw`(?<![A-Za-z0-9_.])(?:${OCTET}\.){3}${OCTET}(?![A-Za-z0-9_]|\.\d)`, 'g');

/**
 * IPv6 candidates: hex groups and colons (at least two colons among the first groups), with an
 * optional dotted-quad tail. The structure (eight groups, or fewer with one `::`) is checked in
 * code, which is clearer than the usual ten-way regex. May follow `word:` (as in `ip:fe80::1`)
 * but not a hex group and a colon, so it never starts inside an address.
 */
const IPV6 =
  /(?<![A-Za-z0-9_.]|[0-9A-Fa-f]:|::)(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,39}(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?![A-Za-z0-9_:]|\.\d)/g;

const IPV4_WHOLE = new RegExp(String.raw`^(?:${OCTET}\.){3}${OCTET}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function groupsOf(part: string): number {
  if (part === '') return 0;
  const groups = part.split(':');
  for (const g of groups) if (!HEX_GROUP.test(g)) return -1;
  return groups.length;
}

/** Whether `candidate` is a complete IPv6 address (full, `::`-compressed, or with an IPv4 tail). */
export function isIpv6(candidate: string): boolean {
  let text = candidate;
  let tailGroups = 0;
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    if (!IPV4_WHOLE.test(text.slice(lastColon + 1))) return false;
    text = text.slice(0, lastColon + 1);
    // "::ffff:1.2.3.4" leaves "::ffff:"; a trailing single colon belongs to the tail.
    if (!text.endsWith('::')) text = text.slice(0, -1);
    tailGroups = 2;
  }
  const compressed = text.indexOf('::');
  if (compressed < 0) return groupsOf(text) + tailGroups === 8;
  if (text.indexOf('::', compressed + 1) >= 0 || text.includes(':::')) return false;
  const left = groupsOf(text.slice(0, compressed));
  const right = groupsOf(text.slice(compressed + 2));
  if (left < 0 || right < 0) return false;
  const total = left + right + tailGroups;
  // A bare "::" identifies nobody; report only addresses with at least one group.
  return total >= 1 && total <= 7;
}

/** IP_ADDRESS, IPv4: dotted quads such as `192.168.1.10`. */
export const ipv4Detector: Detector = {
  type: 'IP_ADDRESS',
  mayMatch: (p) => p.dottedQuad,
  find(text, sink) {
    forEachMatch(IPV4, text, sink, (m, out) => {
      out.add('IP_ADDRESS', m.index, m.index + m[0].length, Priority.ipAddress);
      return true;
    });
  },
};

/** IP_ADDRESS, IPv6: full, compressed (`::1`, `fe80::1`, `2001:db8::8a2e:370:7334`) or IPv4-mapped. */
export const ipv6Detector: Detector = {
  type: 'IP_ADDRESS',
  mayMatch: (p) => p.ipv6Hint,
  find(text, sink) {
    forEachMatch(IPV6, text, sink, (m, out) => {
      let candidate = m[0];
      // A sentence may put a colon right after an address ("from fe80::1: denied").
      if (candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
      if (!isIpv6(candidate)) return false;
      out.add('IP_ADDRESS', m.index, m.index + candidate.length, Priority.ipAddress);
      return true;
    });
  },
};
