import { formatIpAddress, formatIpPrefix, parseIpAddress, prefixOf } from './ip-address.js';
import type { IpRanges, RangeMatch } from './ip-ranges.js';

/** The block two addresses must share to be one network by address alone. */
export const SAME_BLOCK_BITS = { 4: 24, 6: 48 } as const;

export type SourceNetwork =
  | {
      readonly kind: 'address';
      /** The address, normalized: dotted IPv4 (an IPv4-mapped IPv6 address is its IPv4), RFC 5952 IPv6. */
      readonly address: string;
      /** '203.0.113.0/24' or '2001:db8:1::/48' */
      readonly block: string;
      readonly range: RangeMatch | null;
    }
  /** s3.amazonaws.com, AWS Internal: a service acting on the user's behalf. */
  | { readonly kind: 'service'; readonly service: string }
  /** null, empty, unparsable, or a placeholder (`gce-internal-ip`, `private`, `(calling IP)`). */
  | { readonly kind: 'unknown'; readonly text: string };

/**
 * CloudTrail's `sourceIPAddress` for calls an AWS service makes for the user: the service's DNS
 * name (`s3.amazonaws.com`, `lambda.amazonaws.com`, `.amazonaws.com.cn` in China), or `AWS Internal`
 * (with its variants: `AWS Internal/3`, `aws-internal`).
 */
const AWS_SERVICE_HOST = /^(?:[a-z0-9-]+\.)+amazonaws\.com(?:\.cn)?$/i;
const AWS_INTERNAL = /^aws[\s_-]*internal\b/i;

/** Where a call came from, as the audit log's caller address says it. */
export function sourceNetwork(sourceIp: string | null, ranges: IpRanges): SourceNetwork {
  const text = (sourceIp ?? '').trim();
  if (text === '') return { kind: 'unknown', text };
  const address = parseIpAddress(text);
  if (address !== null) {
    const normalized = formatIpAddress(address);
    return {
      kind: 'address',
      address: normalized,
      block: formatIpPrefix(prefixOf(address, SAME_BLOCK_BITS[address.family])),
      range: ranges.match(normalized),
    };
  }
  if (AWS_SERVICE_HOST.test(text) || AWS_INTERNAL.test(text)) return { kind: 'service', service: text };
  return { kind: 'unknown', text };
}

/**
 * true: one network (the same /24 or /48, or both inside the ranges one provider publishes: the
 * same provider and, when both regions are known, the same region; GitHub Actions runners rotate
 * addresses within GitHub's ranges); false: different networks; null: undecidable (either side a
 * service acting for the user, or unknown), never evidence.
 */
export function sameNetwork(a: SourceNetwork, b: SourceNetwork): boolean | null {
  if (a.kind !== 'address' || b.kind !== 'address') return null;
  if (a.block === b.block) return true;
  if (a.range === null || b.range === null || a.range.provider !== b.range.provider) return false;
  return a.range.region === null || b.range.region === null || a.range.region === b.range.region;
}
