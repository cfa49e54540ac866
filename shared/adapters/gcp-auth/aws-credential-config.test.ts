import { awsCredentialConfig } from './aws-credential-config.js';

const PROVIDER =
  'projects/123456789012/locations/global/workloadIdentityPools/tokentrail-aws/providers/aws-lambda';
const SERVICE_ACCOUNT = 'tokentrail-lambda@audit-proj.iam.gserviceaccount.com';

describe('awsCredentialConfig', () => {
  it('is the external_account document google-auth-library reads, with no secret in it', () => {
    expect(awsCredentialConfig({ providerName: PROVIDER, serviceAccountEmail: SERVICE_ACCOUNT })).toEqual({
      type: 'external_account',
      audience: `//iam.googleapis.com/${PROVIDER}`,
      subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
      token_url: 'https://sts.googleapis.com/v1/token',
      service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
      credential_source: {
        environment_id: 'aws1',
        regional_cred_verification_url:
          'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
      },
    });
  });

  it('points at other STS and iamcredentials roots (test servers)', () => {
    const config = awsCredentialConfig({
      providerName: PROVIDER,
      serviceAccountEmail: SERVICE_ACCOUNT,
      stsEndpoint: 'http://127.0.0.1:9001/',
      iamCredentialsEndpoint: 'http://127.0.0.1:9002',
    });
    expect(config.token_url).toBe('http://127.0.0.1:9001/v1/token');
    expect(config.service_account_impersonation_url).toBe(
      `http://127.0.0.1:9002/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
    );
  });

  it.each([
    [
      { providerName: 'tokentrail-aws', serviceAccountEmail: SERVICE_ACCOUNT },
      /not a workload identity provider name/,
    ],
    [
      { providerName: `//iam.googleapis.com/${PROVIDER}`, serviceAccountEmail: SERVICE_ACCOUNT },
      /provider name/,
    ],
    [{ providerName: PROVIDER, serviceAccountEmail: 'tokentrail-lambda' }, /not a service account email/],
  ])('refuses a target it cannot name correctly: %o', (target, message) => {
    expect(() => awsCredentialConfig(target)).toThrow(message);
  });
});
