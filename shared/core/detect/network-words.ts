import type { SourceNetwork } from '../network/source-network.js';

const PROVIDER_NAMES = { aws: 'AWS', gcp: 'Google Cloud', 'github-actions': 'GitHub Actions' } as const;

/** A network in words for an alert: the address, and the published range it falls in if any. */
export function describeNetwork(network: SourceNetwork): string {
  if (network.kind === 'service') return network.service;
  if (network.kind === 'unknown') return network.text || 'an unknown address';
  if (network.range === null) return `${network.address} (outside the published cloud and CI ranges)`;
  const region = network.range.region ? ` ${network.range.region}` : '';
  return `${network.address} (${PROVIDER_NAMES[network.range.provider]}${region})`;
}
