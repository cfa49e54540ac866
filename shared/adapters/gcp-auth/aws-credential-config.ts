/**
 * The google-auth-library `external_account` credential config with which an AWS Lambda reaches
 * Google APIs through workload identity federation. It holds no secret: the library signs an AWS
 * STS GetCallerIdentity request with the Lambda role's own temporary credentials
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN / AWS_REGION, all set in every
 * Lambda), Google STS exchanges it for a federated token, and iamcredentials turns that into a
 * short-lived token of the service account. Terraform renders the same document as the output
 * `lambda_credential_config` (infra/gcp/aws-federation.tf; a test keeps the two equal).
 */

export const EXTERNAL_ACCOUNT_TYPE = 'external_account';
export const AWS_SUBJECT_TOKEN_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
/** `aws1` is the only AWS environment the library knows. */
export const AWS_ENVIRONMENT_ID = 'aws1';
/** The library fills `{region}` from AWS_REGION (else AWS_DEFAULT_REGION). */
export const AWS_REGIONAL_CRED_VERIFICATION_URL =
  'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15';
export const GOOGLE_STS_ENDPOINT = 'https://sts.googleapis.com';
export const GOOGLE_IAM_CREDENTIALS_ENDPOINT = 'https://iamcredentials.googleapis.com';

/** `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER` */
const PROVIDER_NAME =
  /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/;
const SERVICE_ACCOUNT_EMAIL = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$/;

export interface AwsFederationTarget {
  /** The provider's resource name, as Terraform's `google_iam_workload_identity_pool_provider.name`. */
  readonly providerName: string;
  /** The service account the Lambda impersonates. */
  readonly serviceAccountEmail: string;
  /** Another Google STS root (a test server); default https://sts.googleapis.com. */
  readonly stsEndpoint?: string;
  /** Another iamcredentials root (a test server); default https://iamcredentials.googleapis.com. */
  readonly iamCredentialsEndpoint?: string;
}

export interface AwsCredentialConfig {
  readonly type: typeof EXTERNAL_ACCOUNT_TYPE;
  readonly audience: string;
  readonly subject_token_type: typeof AWS_SUBJECT_TOKEN_TYPE;
  readonly token_url: string;
  readonly service_account_impersonation_url: string;
  readonly credential_source: {
    readonly environment_id: typeof AWS_ENVIRONMENT_ID;
    readonly regional_cred_verification_url: string;
  };
}

export function workloadProviderAudience(providerName: string): string {
  return `//iam.googleapis.com/${providerName}`;
}

export function awsCredentialConfig(target: AwsFederationTarget): AwsCredentialConfig {
  if (!PROVIDER_NAME.test(target.providerName)) {
    throw new Error(
      `not a workload identity provider name: ${JSON.stringify(target.providerName)} ` +
        '(want projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER, ' +
        'the provider resource name Terraform prints)',
    );
  }
  if (!SERVICE_ACCOUNT_EMAIL.test(target.serviceAccountEmail)) {
    throw new Error(
      `not a service account email: ${JSON.stringify(target.serviceAccountEmail)} (want NAME@PROJECT.iam.gserviceaccount.com)`,
    );
  }
  const sts = (target.stsEndpoint ?? GOOGLE_STS_ENDPOINT).replace(/\/+$/, '');
  const iam = (target.iamCredentialsEndpoint ?? GOOGLE_IAM_CREDENTIALS_ENDPOINT).replace(/\/+$/, '');
  return {
    type: EXTERNAL_ACCOUNT_TYPE,
    audience: workloadProviderAudience(target.providerName),
    subject_token_type: AWS_SUBJECT_TOKEN_TYPE,
    token_url: `${sts}/v1/token`,
    service_account_impersonation_url: `${iam}/v1/projects/-/serviceAccounts/${target.serviceAccountEmail}:generateAccessToken`,
    credential_source: {
      environment_id: AWS_ENVIRONMENT_ID,
      regional_cred_verification_url: AWS_REGIONAL_CRED_VERIFICATION_URL,
    },
  };
}
