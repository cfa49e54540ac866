import {
  accountOfRoleArn,
  audienceFromPrincipalId,
  issuerFromProvider,
  parseAssumedRoleArn,
} from '../identity/aws-identity.js';
import { asObject, asText, firstText, type JsonObject } from '../json-access.js';
import { parseCredentialExpiration } from '../time/timestamp.js';
import type { CloudTrailNormalizer } from './audit-record.js';
import { cloudTrailRow, resourceArn } from './cloudtrail-base.js';
import { isRelevant, type Relevance } from './relevance.js';

const RELEVANCE: Relevance = {
  anyOf: [
    [
      { field: 'eventName', oneOf: ['AssumeRoleWithWebIdentity'] },
      { field: 'eventSource', oneOf: ['sts.amazonaws.com'], orAbsent: true },
    ],
  ],
};

/**
 * STS AssumeRoleWithWebIdentity: an OIDC token exchanged for role credentials. On failure
 * `responseElements` is null and only `userIdentity` tells who tried (see events.md §3).
 */
export const awsAssumeRoleWithWebIdentity: CloudTrailNormalizer = {
  kind: 'aws.sts.AssumeRoleWithWebIdentity',
  relevance: RELEVANCE,

  matches: (record) => isRelevant(record, RELEVANCE),

  normalize(record: JsonObject) {
    const row = cloudTrailRow(record, 'sts.amazonaws.com', 'token_exchange');
    const identity = asObject(record.userIdentity);
    const response = asObject(record.responseElements);
    const request = asObject(record.requestParameters);
    const credentials = asObject(response?.credentials);

    const provider = firstText(identity?.identityProvider, response?.provider);
    const userName = asText(identity?.userName);
    const sessionArn = asText(asObject(response?.assumedRoleUser)?.arn);
    const session = parseAssumedRoleArn(sessionArn);
    const roleArn = firstText(request?.roleArn, resourceArn(record, 'AWS::IAM::Role'), session?.roleArn);
    const expiration = asText(credentials?.expiration);

    row.principal = roleArn;
    row.subject = firstText(response?.subjectFromWebIdentityToken, userName);
    row.issuer = issuerFromProvider(provider);
    row.identity_provider = provider;
    row.audience =
      asText(response?.audience) ??
      audienceFromPrincipalId(asText(identity?.principalId), provider, userName);
    row.resource = roleArn;
    row.credential_id = asText(credentials?.accessKeyId);
    row.credential_expiration = expiration === null ? null : parseCredentialExpiration(expiration);
    row.session_name = firstText(request?.roleSessionName, session?.sessionName);
    row.minted_identity = session === null ? null : sessionArn;
    row.account ??= accountOfRoleArn(roleArn);
    return row;
  },
};
