import ipaddr from 'ipaddr.js';

/** ipaddr.js range names of addresses that are not on the internet. */
const NOT_PUBLIC = new Set([
  'private',
  'loopback',
  'linkLocal',
  'uniqueLocal',
  'carrierGradeNat',
  'unspecified',
]);

/**
 * Whether an address is private (RFC 1918, unique-local, link-local, CGNAT, loopback): what S3
 * logs for a call through a VPC endpoint, or GCS for one from inside a VPC. Such an address says
 * which network only together with the endpoint, so it is never evidence of another network.
 */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return NOT_PUBLIC.has(parsed.range());
}
