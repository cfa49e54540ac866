import ipaddr from 'ipaddr.js';

/** An address as a number: 32 bits for IPv4, 128 for IPv6. */
export type IpAddress =
  | { readonly family: 4; readonly value: number }
  | { readonly family: 6; readonly value: bigint };

/** A prefix with its host bits cleared. */
export type IpPrefix = IpAddress & { readonly length: number };

const V4_MASKS: readonly number[] = Array.from({ length: 33 }, (_, length) =>
  length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0,
);
const V6_ALL = (1n << 128n) - 1n;
const V6_MASKS: readonly bigint[] = Array.from({ length: 129 }, (_, length) =>
  length === 0 ? 0n : (V6_ALL << BigInt(128 - length)) & V6_ALL,
);

function v4Value(octets: readonly number[]): number {
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function v6Value(parts: readonly number[]): bigint {
  let value = 0n;
  for (const part of parts) value = (value << 16n) | BigInt(part);
  return value;
}

function fromParsed(parsed: ipaddr.IPv4 | ipaddr.IPv6): IpAddress {
  if (parsed.kind() === 'ipv4') return { family: 4, value: v4Value((parsed as ipaddr.IPv4).octets) };
  const v6 = parsed as ipaddr.IPv6;
  // ::ffff:203.0.113.7 is the IPv4 address a dual-stack listener saw.
  if (v6.isIPv4MappedAddress()) return { family: 4, value: v4Value(v6.toIPv4Address().octets) };
  return { family: 6, value: v6Value(v6.parts) };
}

/** Four decimal parts, each 0-255 without leading zeros (ipaddr.js's four-part rule), read without it: most lookups are IPv4. */
const DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

function dottedValue(text: string): number | null {
  const parts = DOTTED.exec(text);
  if (parts === null) return null;
  const octets = [Number(parts[1]), Number(parts[2]), Number(parts[3]), Number(parts[4])];
  return octets.every((octet) => octet <= 255) ? v4Value(octets) : null;
}

/**
 * An address as logs write it: dotted IPv4 (four decimal parts only: `127.1` and `0x7f.0.0.1` are
 * not addresses here, though inet_aton reads them), or IPv6, a zone (`%eth0`) dropped, IPv4-mapped
 * IPv6 read as its IPv4 address. Anything else is null.
 */
export function parseIpAddress(text: string): IpAddress | null {
  const trimmed = text.trim();
  const dotted = dottedValue(trimmed);
  if (dotted !== null) return { family: 4, value: dotted };
  const bare = trimmed.replace(/^\[(.*)\]$/, '$1');
  if (bare.includes(':') && ipaddr.IPv6.isValid(bare)) return fromParsed(ipaddr.IPv6.parse(bare));
  return null;
}

/**
 * A CIDR such as `52.94.76.0/22` or `2600:1f14::/35`, host bits cleared (AWS documents
 * `198.51.100.2/24` as a valid entry). An IPv4-mapped IPv6 prefix of /96 or longer is the IPv4
 * prefix it maps. Anything else is null.
 */
export function parseIpPrefix(text: string): IpPrefix | null {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return null;
  const length = Number(match[2]);
  const address = match[1]!;
  const dotted = dottedValue(address);
  if (dotted !== null) return length > 32 ? null : prefixOf({ family: 4, value: dotted }, length);
  if (!address.includes(':') || !ipaddr.IPv6.isValid(address) || length > 128) return null;
  const v6 = ipaddr.IPv6.parse(address);
  if (v6.zoneId !== undefined) return null;
  if (v6.isIPv4MappedAddress() && length >= 96) {
    return prefixOf({ family: 4, value: v4Value(v6.toIPv4Address().octets) }, length - 96);
  }
  return prefixOf({ family: 6, value: v6Value(v6.parts) }, length);
}

function maskedTo(address: IpAddress, length: number): IpAddress {
  return address.family === 4
    ? { family: 4, value: (address.value & V4_MASKS[length]!) >>> 0 }
    : { family: 6, value: address.value & V6_MASKS[length]! };
}

/** The prefix of `length` bits holding `address`. */
export function prefixOf(address: IpAddress, length: number): IpPrefix {
  return { ...maskedTo(address, length), length };
}

/** The masked value of `address` at `length` bits, as a map key. */
export function keyAt(address: IpAddress, length: number): number | bigint {
  return address.family === 4 ? (address.value & V4_MASKS[length]!) >>> 0 : address.value & V6_MASKS[length]!;
}

/** `203.0.113.7`, or RFC 5952's IPv6 form (`2001:db8::1`, lower case, the longest zero run folded). */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) {
    const v = address.value;
    return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
  }
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) parts.push(Number((address.value >> shift) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

export function formatIpPrefix(prefix: IpPrefix): string {
  return `${formatIpAddress(prefix)}/${prefix.length}`;
}
