import { ipRanges } from './ip-ranges.js';
import {
  parseAwsIpRanges,
  parseAwsIpRangesDocument,
  parseGcpCloudRanges,
  parseGcpCloudRangesDocument,
  parseGithubMeta,
  parseGithubMetaDocument,
  RangeDocumentError,
} from './published-ranges.js';

// Small documents in the published shapes (documentation ranges and made-up values).
const AWS = JSON.stringify({
  syncToken: '1764930000',
  createDate: '2026-12-05-10-20-00',
  prefixes: [
    {
      ip_prefix: '198.51.100.2/24',
      region: 'us-east-1',
      service: 'AMAZON',
      network_border_group: 'us-east-1',
    },
    { ip_prefix: '198.51.100.0/24', region: 'us-east-1', service: 'EC2', network_border_group: 'us-east-1' },
    { ip_prefix: '192.0.2.0/24', region: 'GLOBAL', service: 'CLOUDFRONT', network_border_group: 'GLOBAL' },
  ],
  ipv6_prefixes: [
    {
      ipv6_prefix: '2001:db8:1234::/48',
      region: 'eu-west-1',
      service: 'S3',
      network_border_group: 'eu-west-1',
    },
  ],
});

const GCP = JSON.stringify({
  syncToken: '1764930000123',
  creationTime: '2026-12-05T10:20:00.123456',
  prefixes: [
    { ipv4Prefix: '203.0.113.0/25', service: 'Google Cloud', scope: 'europe-west1' },
    { ipv6Prefix: '2001:db8:ff00::/40', service: 'Google Cloud', scope: 'us-central1' },
  ],
});

const GITHUB = JSON.stringify({
  verifiable_password_authentication: false,
  hooks: ['192.0.2.0/26'],
  actions: ['203.0.113.128/25', '2001:db8:aa::/48'],
  actions_macos: ['198.18.0.0/24'],
});

describe('published range documents', () => {
  it('reads AWS ip-ranges.json, both families, GLOBAL as no region', () => {
    const document = parseAwsIpRangesDocument(AWS);
    expect(document.published).toEqual({ syncToken: '1764930000', createDate: '2026-12-05-10-20-00' });
    expect(document.entries).toEqual([
      { prefix: '198.51.100.2/24', provider: 'aws', region: 'us-east-1', service: 'AMAZON' },
      { prefix: '198.51.100.0/24', provider: 'aws', region: 'us-east-1', service: 'EC2' },
      { prefix: '192.0.2.0/24', provider: 'aws', region: null, service: 'CLOUDFRONT' },
      { prefix: '2001:db8:1234::/48', provider: 'aws', region: 'eu-west-1', service: 'S3' },
    ]);
    expect(parseAwsIpRanges(AWS)).toEqual(document.entries);
    expect(ipRanges(document.entries).match('198.51.100.77')?.service).toBe('EC2');
  });

  it('reads Google Cloud cloud.json, scope as the region', () => {
    const document = parseGcpCloudRangesDocument(GCP);
    expect(document.published).toEqual({
      syncToken: '1764930000123',
      creationTime: '2026-12-05T10:20:00.123456',
    });
    expect(parseGcpCloudRanges(GCP)).toEqual([
      { prefix: '203.0.113.0/25', provider: 'gcp', region: 'europe-west1', service: 'Google Cloud' },
      { prefix: '2001:db8:ff00::/40', provider: 'gcp', region: 'us-central1', service: 'Google Cloud' },
    ]);
  });

  it("reads GitHub meta's actions and actions_macos, nothing else", () => {
    expect(parseGithubMetaDocument(GITHUB).published).toEqual({});
    expect(parseGithubMeta(GITHUB)).toEqual([
      { prefix: '203.0.113.128/25', provider: 'github-actions', region: null, service: 'actions' },
      { prefix: '2001:db8:aa::/48', provider: 'github-actions', region: null, service: 'actions' },
      { prefix: '198.18.0.0/24', provider: 'github-actions', region: null, service: 'actions_macos' },
    ]);
    expect(parseGithubMeta(JSON.stringify({ actions: [] }))).toEqual([]);
  });

  it.each([
    ['aws', parseAwsIpRanges, '<html>rate limited</html>', 'AWS ip-ranges.json: not JSON'],
    ['aws', parseAwsIpRanges, '[]', 'AWS ip-ranges.json: not a JSON object'],
    ['aws', parseAwsIpRanges, '{"prefixes":[]}', 'AWS ip-ranges.json: "ipv6_prefixes" is not an array'],
    [
      'aws',
      parseAwsIpRanges,
      '{"prefixes":[{"ip_prefix":"2001:db8::/32","region":"x","service":"EC2"}],"ipv6_prefixes":[]}',
      "AWS ip-ranges.json: prefixes[0].ip_prefix '2001:db8::/32' is not an IPv4 CIDR",
    ],
    [
      'aws',
      parseAwsIpRanges,
      '{"prefixes":[{"ip_prefix":"10.0.0.0/8","service":"EC2"}],"ipv6_prefixes":[]}',
      'AWS ip-ranges.json: prefixes[0].region is missing',
    ],
    [
      'gcp',
      parseGcpCloudRanges,
      '{"prefixes":[{"ipv4Prefix":"10.0.0.0/33"}]}',
      "Google Cloud cloud.json: prefixes[0].ipv4Prefix '10.0.0.0/33' is not an IPv4 CIDR",
    ],
    [
      'gcp',
      parseGcpCloudRanges,
      '{"prefixes":[{"ipv4Prefix":"10.0.0.0/8","ipv6Prefix":"::/0"}]}',
      'Google Cloud cloud.json: prefixes[0] must have exactly one of ipv4Prefix and ipv6Prefix',
    ],
    [
      'gcp',
      parseGcpCloudRanges,
      '{"prefixes":[null]}',
      'Google Cloud cloud.json: prefixes[0] is not an object',
    ],
    ['github', parseGithubMeta, '{"hooks":[]}', 'GitHub meta: "actions" is not an array'],
    [
      'github',
      parseGithubMeta,
      '{"actions":["10.0.0.0"]}',
      "GitHub meta: actions[0] '10.0.0.0' is not a CIDR",
    ],
    [
      'github',
      parseGithubMeta,
      '{"actions":["\\u001b[31m"]}',
      expect.not.stringContaining('\u001b') as unknown as string,
    ],
  ])('rejects a malformed %s document: %s', (kind, parse, json, message) => {
    let thrown: unknown;
    try {
      parse(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RangeDocumentError);
    expect((thrown as RangeDocumentError).kind).toBe(kind);
    expect((thrown as Error).message).toEqual(message);
  });
});
