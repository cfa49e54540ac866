/**
 * The published ranges of the demo's world, in the formats AWS (`ip-ranges.json`), Google Cloud
 * (`cloud.json`) and GitHub (`meta`) publish, over documentation and benchmark address space: the
 * demo's runners, NAT gateways and cloud callers fall inside them, its attacker outside.
 */
export const DEMO_RANGE_DOCUMENTS = {
  aws: {
    syncToken: '1796428800',
    createDate: '2026-12-01-00-00-00',
    prefixes: [
      // The EKS cluster's NAT gateways and the platform team's sessions.
      {
        ip_prefix: '198.51.100.0/27',
        region: 'us-east-1',
        service: 'EC2',
        network_border_group: 'us-east-1',
      },
      {
        ip_prefix: '198.51.100.0/27',
        region: 'us-east-1',
        service: 'AMAZON',
        network_border_group: 'us-east-1',
      },
    ],
    ipv6_prefixes: [],
  },
  gcp: {
    syncToken: '1796428800000',
    creationTime: '2026-12-01T00:00:00.000000',
    prefixes: [{ ipv4Prefix: '198.51.100.128/25', service: 'Google Cloud', scope: 'us-central1' }],
  },
  github: {
    verifiable_password_authentication: false,
    // The demo's GitHub-hosted runners take addresses from both.
    actions: ['192.0.2.0/24', '198.18.0.0/15'],
  },
} as const;
