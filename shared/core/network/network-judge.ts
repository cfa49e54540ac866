import { type IpRanges, NO_RANGES } from './ip-ranges.js';
import { isPrivateAddress } from './private-address.js';
import { type SourceNetwork, sameNetwork, sourceNetwork } from './source-network.js';

/**
 * The network model the rules judge with, handed to them in their context: the address parser
 * behind it is loaded by the pipeline only for a batch a network rule reads.
 */
export interface NetworkJudge {
  /** Whether published ranges were loaded (without them only address blocks decide). */
  readonly hasRanges: boolean;
  of(sourceIp: string | null): SourceNetwork;
  same(a: SourceNetwork, b: SourceNetwork): boolean | null;
  isPrivate(address: string): boolean;
}

export function networkJudge(ranges: IpRanges | undefined): NetworkJudge {
  const lookup = ranges ?? NO_RANGES;
  return {
    hasRanges: ranges !== undefined,
    of: (sourceIp) => sourceNetwork(sourceIp, lookup),
    same: sameNetwork,
    isPrivate: isPrivateAddress,
  };
}
