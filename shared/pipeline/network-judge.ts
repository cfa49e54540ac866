import type { IpRanges } from '../core/network/ip-ranges.js';
import type { NetworkJudge } from '../core/network/network-judge.js';

/**
 * The network model for the rules, its address parser loaded on first need: an ingest function's
 * cold start for a delivery no network rule reads never pays for it.
 */
export async function loadNetworkJudge(ranges: IpRanges | undefined): Promise<NetworkJudge> {
  const { networkJudge } = await import('../core/network/network-judge.js');
  return networkJudge(ranges);
}
