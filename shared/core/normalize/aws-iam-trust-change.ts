import { issuerFromProvider } from '../identity/aws-identity.js';
import { type FederatedTrust, federatedTrusts } from '../identity/aws-trust-policy.js';
import { asArray, asObject, asText, firstText, type JsonObject } from '../json-access.js';
import type { Row } from '../schema/row.js';
import type { CloudTrailNormalizer } from './audit-record.js';
import { cloudTrailRow } from './cloudtrail-base.js';
import { isRelevant, type Relevance } from './relevance.js';

const ROLE_EVENTS = ['CreateRole', 'UpdateAssumeRolePolicy'];
const PROVIDER_EVENTS = [
  'CreateOpenIDConnectProvider',
  'AddClientIDToOpenIDConnectProvider',
  'RemoveClientIDFromOpenIDConnectProvider',
  'UpdateOpenIDConnectProviderThumbprint',
  'DeleteOpenIDConnectProvider',
];

const RELEVANCE: Relevance = {
  anyOf: [
    [
      { field: 'eventSource', oneOf: ['iam.amazonaws.com'] },
      { field: 'eventName', oneOf: [...ROLE_EVENTS, ...PROVIDER_EVENTS] },
    ],
  ],
};

const PARTITION = /^arn:([a-z-]+):/;

/** The caller's partition (aws-cn, aws-us-gov), for ARNs the record does not log whole. */
function partitionOf(identity: JsonObject | null): string {
  return PARTITION.exec(asText(identity?.arn) ?? '')?.[1] ?? 'aws';
}

function roleArn(record: JsonObject, request: JsonObject | null, partition: string): string | null {
  const logged = asText(asObject(asObject(record.responseElements)?.role)?.arn);
  const name = asText(request?.roleName);
  const account = asText(record.recipientAccountId);
  if (logged !== null || name === null || account === null) return logged;
  // UpdateAssumeRolePolicy (and a failed CreateRole) log only the name: a role on a path
  // (`role/ci/deploy`) gets the wrong ARN here unless CreateRole logged the path.
  const path = asText(request?.path) ?? '/';
  return `arn:${partition}:iam::${account}:role${path.endsWith('/') ? path : `${path}/`}${name}`;
}

/** The provider ARN as logged; on a failed create, the one IAM would have named from the URL. */
function providerArn(record: JsonObject, request: JsonObject | null, partition: string): string | null {
  const logged = firstText(
    request?.openIDConnectProviderArn,
    asObject(record.responseElements)?.openIDConnectProviderArn,
  );
  const host = asText(request?.url)?.replace(/^https:\/\//i, '');
  const account = asText(record.recipientAccountId);
  if (logged !== null || !host || account === null) return logged;
  return `arn:${partition}:iam::${account}:oidc-provider/${host}`;
}

function strings(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === 'string' && item !== '');
}

/** The one value every entry shares, else null: a row column names a single issuer or provider. */
function onlyOne(values: readonly (string | null)[]): string | null {
  const distinct = new Set(values);
  return distinct.size === 1 ? [...distinct][0]! : null;
}

function setRoleTrust(row: Row, record: JsonObject, request: JsonObject | null, partition: string): void {
  const document = asText(
    row.action === 'CreateRole' ? request?.assumeRolePolicyDocument : request?.policyDocument,
  );
  const named = federatedTrusts(document);
  const provider = onlyOne(named?.map((entry) => entry.provider) ?? []);
  row.principal = roleArn(record, request, partition);
  row.resource = provider;
  row.identity_provider = provider;
  row.issuer = onlyOne(named?.map((entry) => entry.trust.issuer) ?? []);
  row.trust = named?.map((entry) => entry.trust) ?? null;
}

function setProviderTrust(row: Row, record: JsonObject, request: JsonObject | null, partition: string): void {
  const arn = providerArn(record, request, partition);
  const issuer = issuerFromProvider(arn) ?? issuerFromProvider(asText(request?.url));
  const clientId = asText(request?.clientID);
  const set = (audiences: readonly string[]): FederatedTrust[] => [
    { issuer, audiences, subjects: null, condition: null },
  ];
  row.principal = arn;
  row.resource = arn;
  row.identity_provider = arn;
  row.issuer = issuer;
  switch (row.action) {
    case 'CreateOpenIDConnectProvider':
      // No client ID registered: the provider admits no audience until one is added.
      row.trust = set(strings(request?.clientIDList));
      break;
    case 'AddClientIDToOpenIDConnectProvider':
    case 'RemoveClientIDFromOpenIDConnectProvider':
      // Only the client ID added or removed is logged, not the provider's list after the change.
      row.trust = clientId === null ? null : set([clientId]);
      break;
    case 'DeleteOpenIDConnectProvider':
      row.trust = [];
      break;
    default:
      // A thumbprint change admits no other token issuer, audience or subject.
      row.trust = null;
  }
}

/**
 * IAM changes to who may federate into a role: a role's trust policy set by CreateRole or
 * UpdateAssumeRolePolicy, and the OIDC providers such a policy names (their client IDs are the
 * audiences AssumeRoleWithWebIdentity accepts). The trust column holds the OIDC trusts the change
 * sets (also on a failure: what was attempted); [] when a policy trusts no OIDC provider or a
 * provider is deleted; null when the policy does not parse. For a RemoveClientID the audience in
 * the trust is the one removed. The caller is the identity that made the change.
 */
export const awsIamTrustChange: CloudTrailNormalizer = {
  kind: 'aws.iam.TrustChange',
  relevance: RELEVANCE,

  matches: (record) => isRelevant(record, RELEVANCE),

  normalize(record: JsonObject) {
    const row = cloudTrailRow(record, 'iam.amazonaws.com', 'trust_change');
    const identity = asObject(record.userIdentity);
    const request = asObject(record.requestParameters);
    const partition = partitionOf(identity);

    if (ROLE_EVENTS.includes(row.action)) setRoleTrust(row, record, request, partition);
    else setProviderTrust(row, record, request, partition);
    row.caller = firstText(identity?.arn, identity?.invokedBy, identity?.principalId);
    return row;
  },
};
