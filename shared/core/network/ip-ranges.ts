import { type IpAddress, keyAt, parseIpAddress, parseIpPrefix } from './ip-address.js';

export type RangeProvider = 'aws' | 'gcp' | 'github-actions';

export interface RangeMatch {
  readonly provider: RangeProvider;
  /** The provider's region (AWS `region`, Google Cloud `scope`); null when the range is global or unnamed. */
  readonly region: string | null;
  /** AWS `service` (EC2, S3, AMAZON...), Google Cloud `service`, GitHub's meta key (`actions`). */
  readonly service: string | null;
}

/** One published prefix: `prefix` is a CIDR, IPv4 or IPv6. */
export interface RangeEntry extends RangeMatch {
  readonly prefix: string;
}

/** Published ranges, looked up by address (longest prefix wins). */
export interface IpRanges {
  match(address: string): RangeMatch | null;
}

export const NO_RANGES: IpRanges = Object.freeze({ match: () => null });

/**
 * The catch-all service of a provider's list: AWS lists most prefixes twice, as AMAZON and as the
 * service that uses them; the service says more.
 */
function isCatchAll(entry: RangeMatch): boolean {
  return entry.provider === 'aws' && entry.service === 'AMAZON';
}

/** Of two entries for the same prefix, the one a lookup returns: the first, unless it is a catch-all and the other is not. */
export function preferred(kept: RangeMatch, other: RangeMatch): boolean {
  return isCatchAll(kept) && !isCatchAll(other);
}

interface Family {
  /** Prefix lengths present, longest first. */
  lengths: number[];
  byLength: Map<number, Map<number | bigint, RangeMatch>>;
}

function emptyFamily(): Family {
  return { lengths: [], byLength: new Map() };
}

/**
 * The entries as a lookup table: one hash map per prefix length and family, tried from the longest
 * length down, so a lookup costs one probe per distinct length (at most 33 for IPv4, 129 for IPv6;
 * AWS's list uses about 25), whatever the number of prefixes. Entries whose prefix does not parse
 * are skipped (the parsers reject them first).
 */
export function ipRanges(entries: readonly RangeEntry[]): IpRanges {
  if (entries.length === 0) return NO_RANGES;
  const families = { 4: emptyFamily(), 6: emptyFamily() };
  for (const entry of entries) {
    const prefix = parseIpPrefix(entry.prefix);
    if (prefix === null) continue;
    const family = families[prefix.family];
    let table = family.byLength.get(prefix.length);
    if (table === undefined) {
      table = new Map();
      family.byLength.set(prefix.length, table);
      family.lengths.push(prefix.length);
    }
    const match: RangeMatch = { provider: entry.provider, region: entry.region, service: entry.service };
    const kept = table.get(prefix.value);
    if (kept === undefined || preferred(kept, match)) table.set(prefix.value, Object.freeze(match));
  }
  for (const family of Object.values(families)) family.lengths.sort((a, b) => b - a);

  const lookup = (address: IpAddress): RangeMatch | null => {
    const family = families[address.family];
    for (const length of family.lengths) {
      const found = family.byLength.get(length)!.get(keyAt(address, length));
      if (found !== undefined) return found;
    }
    return null;
  };
  return {
    match(address: string): RangeMatch | null {
      const parsed = parseIpAddress(address);
      return parsed === null ? null : lookup(parsed);
    },
  };
}
