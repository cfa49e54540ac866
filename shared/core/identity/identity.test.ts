import {
  accountOfRoleArn,
  audienceFromPrincipalId,
  issuerFromProvider,
  parseAssumedRoleArn,
} from './aws-identity.js';
import {
  iamResourceName,
  parseFederatedMember,
  parseFederatedPrincipal,
  realEmail,
  serviceAccountEmail,
} from './gcp-identity.js';

describe('issuerFromProvider', () => {
  it.each([
    [
      'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
      'https://token.actions.githubusercontent.com',
    ],
    [
      'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
      'https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
    ],
    ['arn:aws-us-gov:iam::111122223333:oidc-provider/app.terraform.io', 'https://app.terraform.io'],
    ['accounts.google.com', 'https://accounts.google.com'],
    ['cognito-identity.amazonaws.com', 'https://cognito-identity.amazonaws.com'],
    ['https://already.example', 'https://already.example'],
  ])('%s -> %s', (provider, issuer) => {
    expect(issuerFromProvider(provider)).toBe(issuer);
  });

  it.each([[null], ['not a provider'], ['arn:aws:iam::1:role/x']])('%j has no issuer', (provider) => {
    expect(issuerFromProvider(provider)).toBeNull();
  });
});

describe('audienceFromPrincipalId', () => {
  const github = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';

  it('strips the provider prefix and the subject suffix without splitting on colons', () => {
    const subject = 'repo:acme/api:ref:refs/heads/main';
    expect(audienceFromPrincipalId(`${github}:https://github.com/acme:${subject}`, github, subject)).toBe(
      'https://github.com/acme',
    );
  });

  it('recovers a Cognito audience that itself holds a colon', () => {
    const provider = 'cognito-identity.amazonaws.com';
    const subject = 'eu-west-1:aaaaaaaa-0000-4000-8000-000000000001';
    const audience = 'eu-west-1:bbbbbbbb-0000-4000-8000-000000000002';
    expect(audienceFromPrincipalId(`${provider}:${audience}:${subject}`, provider, subject)).toBe(audience);
  });

  it.each([
    [
      `${github}:sts.amazonaws.com:repo:a/b:ref:x`,
      'arn:aws:iam::999999999999:oidc-provider/other',
      'repo:a/b:ref:x',
    ],
    [`${github}:sts.amazonaws.com:repo:a/b:ref:x`, github, 'repo:someone/else'],
    [`${github}::x`, github, 'x'],
    [null, github, 'x'],
  ])('gives null when the layout does not hold (%s)', (principalId, provider, userName) => {
    expect(audienceFromPrincipalId(principalId, provider, userName)).toBeNull();
  });
});

describe('parseAssumedRoleArn', () => {
  it('splits a role session ARN into the role and the session', () => {
    expect(parseAssumedRoleArn('arn:aws:sts::111122223333:assumed-role/deploy/GitHubActions')).toEqual({
      roleArn: 'arn:aws:iam::111122223333:role/deploy',
      sessionName: 'GitHubActions',
    });
    expect(accountOfRoleArn('arn:aws:iam::111122223333:role/deploy')).toBe('111122223333');
    expect(parseAssumedRoleArn('arn:aws:iam::111122223333:user/alice')).toBeNull();
  });
});

describe('parseFederatedPrincipal', () => {
  const pool = 'projects/123456789012/locations/global/workloadIdentityPools/github';

  it.each([
    [
      `principal://iam.googleapis.com/${pool}/subject/repo:acme/api:ref:refs/heads/main`,
      pool,
      'repo:acme/api:ref:refs/heads/main',
    ],
    [`principal://iam.googleapis.com/${pool}/subjects/workload1`, pool, 'workload1'],
    [
      `principal://iam.googleapis.com/${pool}/subject/arn:aws:sts::111122223333:assumed-role/app/i-0abc`,
      pool,
      'arn:aws:sts::111122223333:assumed-role/app/i-0abc',
    ],
    [
      'principal://iam.googleapis.com/locations/global/workforcePools/staff/subject/kim@example.com',
      'locations/global/workforcePools/staff',
      'kim@example.com',
    ],
    [
      'serviceAccount:acme-prod.svc.id.goog[payments/api]',
      'acme-prod.svc.id.goog',
      'system:serviceaccount:payments:api',
    ],
    [
      'serviceAccount:example.com:acme-prod.svc.id.goog[payments/api]',
      'example.com:acme-prod.svc.id.goog',
      'system:serviceaccount:payments:api',
    ],
    [
      'principal://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/acme-prod.svc.id.goog/subject/ns/payments/sa/api',
      'acme-prod.svc.id.goog',
      'system:serviceaccount:payments:api',
    ],
    [`principal://iam.googleapis.com/${pool}`, pool, null],
  ])('%s', (principal, expectedPool, subject) => {
    expect(parseFederatedPrincipal(principal)).toEqual({ pool: expectedPool, subject });
  });

  it.each([
    [null],
    ['user:kim@example.com'],
    ['serviceAccount:ci@acme.iam.gserviceaccount.com'],
    ['repo:a/b'],
  ])('%j is not federated', (principal) => {
    expect(parseFederatedPrincipal(principal)).toBeNull();
  });
});

describe('parseFederatedMember', () => {
  const pool = 'projects/123456789012/locations/global/workloadIdentityPools/github';

  it.each([
    [`principalSet://iam.googleapis.com/${pool}/*`, pool, null],
    [`principalSet://iam.googleapis.com/${pool}/attribute.repository/acme/api`, pool, null],
    [`principalSet://iam.googleapis.com/${pool}/group/deployers`, pool, null],
    [
      'principalSet://iam.googleapis.com/locations/global/workforcePools/staff/group/admins@example.com',
      'locations/global/workforcePools/staff',
      null,
    ],
    [
      'principalSet://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/acme-prod.svc.id.goog/namespace/payments',
      'acme-prod.svc.id.goog',
      null,
    ],
    [
      `principal://iam.googleapis.com/${pool}/subject/repo:acme/api:ref:refs/heads/main`,
      pool,
      'repo:acme/api:ref:refs/heads/main',
    ],
  ])('%s', (member, expectedPool, subject) => {
    expect(parseFederatedMember(member)).toEqual({ pool: expectedPool, subject });
  });

  it.each([
    [null],
    ['user:kim@example.com'],
    ['serviceAccount:acme-prod.svc.id.goog[payments/api]'],
    ['principal://goog/subject/kim@example.com'],
    ['principalSet://goog/public:all'],
    ['principal://iam.googleapis.com/projects/-/serviceAccounts/ci@acme.iam.gserviceaccount.com'],
    ['principalSet://cloudresourcemanager.googleapis.com/projects/42/type/ServiceAccount'],
    [`principalSet://iam.googleapis.com/${pool.replace('workloadIdentityPools', 'otherPools')}/*`],
  ])('%j names no identity pool', (member) => {
    expect(parseFederatedMember(member)).toBeNull();
  });
});

describe('service-account and resource names', () => {
  it('reads emails and IAM resource names', () => {
    expect(serviceAccountEmail('projects/-/serviceAccounts/ci@acme.iam.gserviceaccount.com')).toBe(
      'ci@acme.iam.gserviceaccount.com',
    );
    expect(serviceAccountEmail('projects/-/serviceAccounts/103566171230474107362')).toBeNull();
    expect(
      iamResourceName('//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q'),
    ).toBe('projects/1/locations/global/workloadIdentityPools/p/providers/q');
    expect(realEmail('/namespaces/projects/1/locations/global/workloadIdentityPools/p')).toBeNull();
    expect(realEmail('ci@acme.iam.gserviceaccount.com')).toBe('ci@acme.iam.gserviceaccount.com');
  });
});
