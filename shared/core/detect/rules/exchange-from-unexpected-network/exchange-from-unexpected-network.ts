import type { RangeProvider } from '../../../network/ip-ranges.js';
import type { Row } from '../../../schema/row.js';
import { type DetectionRule, findingOf, isExchange } from '../../detection-rule.js';
import type { Finding } from '../../finding.js';
import { describeNetwork } from '../../network-words.js';
import { type Policy, stringLike } from '../../policy.js';

interface Home {
  readonly provider: RangeProvider;
  readonly region: string | null;
  readonly why: string;
}

const EKS_ISSUER = /^https:\/\/oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/id\//;
const GKE_ISSUER =
  /^https:\/\/container\.googleapis\.com\/v1\/projects\/[^/]+\/(locations|zones)\/([^/]+)\/clusters\//;

function patterns(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Where a subject's workload runs, when its issuer or the policy says: an EKS service account in
 * its cluster's AWS region, a GKE one in Google Cloud, and a GitHub subject the policy lists under
 * `githubHosted` on GitHub's hosted runners (a self-hosted runner may be anywhere, so GitHub
 * subjects are judged only where the team says).
 */
function homeOf(row: Row, githubHosted: readonly string[]): Home | null {
  const subject = row.subject ?? '';
  const issuer = row.issuer ?? '';
  if (subject.startsWith('system:serviceaccount:')) {
    const eks = EKS_ISSUER.exec(issuer);
    if (eks)
      return { provider: 'aws', region: eks[1]!, why: `an EKS service account of a cluster in ${eks[1]}` };
    if (GKE_ISSUER.test(issuer)) return { provider: 'gcp', region: null, why: 'a GKE service account' };
  }
  if (subject.startsWith('repo:') && githubHosted.some((pattern) => stringLike(pattern, subject)))
    return {
      provider: 'github-actions',
      region: null,
      why: 'a workflow the policy says runs on GitHub-hosted runners',
    };
  return null;
}

/**
 * Whether a batch holds an exchange this rule judges, so an ingest function loads the published
 * ranges (a large file) only for such a delivery.
 */
export function needsRanges(rows: readonly Row[], policy: Policy): boolean {
  const githubHosted = patterns(policy.rules['exchange-from-unexpected-network']?.githubHosted);
  return rows.some(
    (row) =>
      row.category === 'token_exchange' && row.outcome === 'success' && homeOf(row, githubHosted) !== null,
  );
}

/**
 * An exchange made from outside its workload's known home: an EKS (`system:serviceaccount:…`)
 * subject from outside its cluster's AWS region, a GKE subject from outside Google Cloud, or a
 * GitHub subject listed in the rule's `githubHosted` patterns from outside GitHub Actions' ranges.
 * Needs the published ranges (`tokentrail ranges update`); without them it stays quiet.
 */
export const exchangeFromUnexpectedNetwork: DetectionRule = {
  id: 'exchange-from-unexpected-network',
  severity: 'high',
  scope: 'event',
  runbook:
    "The workload's OIDC token was presented from outside where the workload runs: the token (or the cluster's or runner's signing path) has leaked. Find where the token was exposed, rotate what it reached, and narrow the trust with a source-network condition (aws:SourceIp / an access level) if the workload's addresses are stable.",

  evaluate(rows, { policy, network: judge }) {
    if (judge === undefined || !judge.hasRanges) return [];
    const githubHosted = patterns(policy.rules[this.id]?.githubHosted);
    const findings: Finding[] = [];
    for (const row of rows) {
      if (!isExchange(row) || row.category !== 'token_exchange' || row.outcome !== 'success') continue;
      const home = homeOf(row, githubHosted);
      if (home === null) continue;
      const network = judge.of(row.source_ip);
      if (network.kind !== 'address' || judge.isPrivate(network.address)) continue;
      const range = network.range;
      const inside =
        range !== null &&
        range.provider === home.provider &&
        (home.region === null || range.region === null || range.region === home.region);
      if (inside) continue;
      findings.push(
        findingOf(
          this,
          row,
          `${row.subject} (${home.why}) exchanged a token from ${describeNetwork(network)}`,
        ),
      );
    }
    return findings;
  },
};
