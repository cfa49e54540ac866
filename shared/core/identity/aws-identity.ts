/** Identity strings as CloudTrail writes them. Partitions other than `aws` (aws-cn, aws-us-gov) are kept. */
const OIDC_PROVIDER_ARN = /^arn:[a-z-]+:iam::[^:]*:oidc-provider\/(.+)$/;
const ASSUMED_ROLE_ARN = /^arn:([a-z-]+):sts::([^:]*):assumed-role\/(.+)\/([^/]+)$/;
const BARE_HOST = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(\/\S*)?$/;

/**
 * `arn:aws:iam::ACCT:oidc-provider/HOST/PATH` -> `https://HOST/PATH`; built-in providers are logged
 * bare (`accounts.google.com`, `cognito-identity.amazonaws.com`) -> `https://HOST`.
 */
export function issuerFromProvider(provider: string | null): string | null {
  if (provider === null) return null;
  const arn = OIDC_PROVIDER_ARN.exec(provider);
  if (arn) return `https://${arn[1]}`;
  if (provider.startsWith('https://')) return provider;
  return BARE_HOST.test(provider) ? `https://${provider}` : null;
}

/**
 * `principalId` is `identityProvider + ":" + audience + ":" + userName`. Audience and subject both
 * may contain ":", so strip the known prefix and suffix rather than split. This is the only place
 * the audience survives on a failed AssumeRoleWithWebIdentity.
 */
export function audienceFromPrincipalId(
  principalId: string | null,
  provider: string | null,
  userName: string | null,
): string | null {
  if (principalId === null || provider === null || userName === null) return null;
  const prefix = `${provider}:`;
  const suffix = `:${userName}`;
  if (principalId.length <= prefix.length + suffix.length) return null;
  if (!principalId.startsWith(prefix) || !principalId.endsWith(suffix)) return null;
  return principalId.slice(prefix.length, principalId.length - suffix.length);
}

export interface AssumedRoleSession {
  readonly roleArn: string;
  readonly sessionName: string;
}

/** `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` -> the role ARN (path not logged) and the session. */
export function parseAssumedRoleArn(arn: string | null): AssumedRoleSession | null {
  const match = arn === null ? null : ASSUMED_ROLE_ARN.exec(arn);
  if (!match) return null;
  const [, partition, account, role, sessionName] = match;
  return { roleArn: `arn:${partition}:iam::${account}:role/${role}`, sessionName: sessionName! };
}

const ROLE_ARN = /^arn:[a-z-]+:iam::(\d+):role\//;

export function accountOfRoleArn(arn: string | null): string | null {
  return arn === null ? null : (ROLE_ARN.exec(arn)?.[1] ?? null);
}
