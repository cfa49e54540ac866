/**
 * The one definition of a tokentrail row. Everything else is derived from this table:
 * the TypeScript `Row` type, the runtime validator, the BigQuery table schema and the DuckDB DDL.
 * Column names are a public contract (views, saved queries and external checks rely on them):
 * add columns, never rename one.
 */
export type ColumnType = 'string' | 'integer' | 'boolean' | 'timestamp' | 'json';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly required: boolean;
  readonly values?: readonly string[];
  readonly description: string;
  /**
   * Added after stores existed: set-up adds it to existing tables (ADD COLUMN IF NOT EXISTS), so
   * it must be nullable and come after every original column, where the new column lands.
   */
  readonly addedLater?: boolean;
}

export const CLOUDS = ['aws', 'gcp'] as const;
export const CATEGORIES = [
  'token_exchange',
  'impersonation',
  'data_access',
  'trust_change',
  'credential_use',
] as const;
export const OUTCOMES = ['success', 'failure'] as const;

export const COLUMNS = [
  {
    name: 'event_id',
    type: 'string',
    required: true,
    description:
      "The source's own unique id, the same whichever envelope delivered the event: CloudTrail eventID; for a GCP LogEntry logName + insertId + timestamp in epoch microseconds (equal to the Eventarc CloudEvent id).",
  },
  {
    name: 'event_time',
    type: 'timestamp',
    required: true,
    description: 'UTC time of the call, microsecond precision (CloudTrail eventTime, LogEntry timestamp).',
  },
  { name: 'cloud', type: 'string', required: true, values: CLOUDS, description: 'aws or gcp.' },
  {
    name: 'source',
    type: 'string',
    required: true,
    description: 'The service that logged the call, e.g. sts.amazonaws.com or storage.googleapis.com.',
  },
  {
    name: 'action',
    type: 'string',
    required: true,
    description: 'AWS eventName; GCP methodName as logged.',
  },
  {
    name: 'category',
    type: 'string',
    required: true,
    values: CATEGORIES,
    description:
      'token_exchange (AssumeRoleWithWebIdentity, STS ExchangeToken), impersonation (GenerateAccessToken and its family), data_access (S3 and GCS data events), trust_change (who may federate into or impersonate a principal: SetIamPolicy on a service account, a project or bucket policy change granting a storage or impersonation role to a federated member, a workload identity pool or provider change, an AWS role trust policy or OIDC provider change), credential_use (any other AWS call made with the key of a web-identity session).',
  },
  {
    name: 'outcome',
    type: 'string',
    required: true,
    values: OUTCOMES,
    description: 'success, or failure when AWS errorCode is present or the GCP status code is non-zero.',
  },
  {
    name: 'error_code',
    type: 'string',
    required: false,
    description: 'AWS errorCode; GCP google.rpc code name (PERMISSION_DENIED, INVALID_ARGUMENT, ...).',
  },
  {
    name: 'error_message',
    type: 'string',
    required: false,
    description: 'AWS errorMessage; GCP status.message. Attacker-influenced text.',
  },
  {
    name: 'principal',
    type: 'string',
    required: false,
    description:
      'The cloud identity acted as or obtained: IAM role ARN, service-account email, or the federated principal:// identifier when no service account is involved.',
  },
  {
    name: 'subject',
    type: 'string',
    required: false,
    description:
      'The external workload identity (the OIDC sub). GKE and EKS service accounts both read system:serviceaccount:NS:NAME. Null on AWS data events until joined to the minting exchange.',
  },
  {
    name: 'issuer',
    type: 'string',
    required: false,
    description:
      'The OIDC issuer URL where the log reveals it (AWS exchanges; the provider of a trust change); null for GCP exchanges.',
  },
  {
    name: 'identity_provider',
    type: 'string',
    required: false,
    description:
      'The cloud-side provider: AWS OIDC provider ARN, or GCP workload identity provider / pool resource name (PROJECT.svc.id.goog for GKE).',
  },
  {
    name: 'audience',
    type: 'string',
    required: false,
    description:
      'The token audience: AWS responseElements.audience or recovered from principalId; GCP request.audience.',
  },
  {
    name: 'resource',
    type: 'string',
    required: false,
    description:
      'What was acted on: the role ARN, the service-account email, the workload identity provider, s3://BUCKET/KEY or gs://BUCKET/OBJECT.',
  },
  {
    name: 'bucket',
    type: 'string',
    required: false,
    description: 'The bucket name for data access, else null.',
  },
  {
    name: 'object',
    type: 'string',
    required: false,
    description: 'The object key for object-level data access, else null.',
  },
  {
    name: 'credential_id',
    type: 'string',
    required: false,
    description:
      'AWS access key minted by AssumeRoleWithWebIdentity or used by a data event: the join key from mint to use.',
  },
  {
    name: 'credential_expiration',
    type: 'timestamp',
    required: false,
    description:
      'When the minted AWS credentials expire (parsed from the locale-formatted string CloudTrail logs).',
  },
  {
    name: 'session_name',
    type: 'string',
    required: false,
    description: 'AWS role session name (chosen by the caller, free text).',
  },
  {
    name: 'caller',
    type: 'string',
    required: false,
    description:
      'The immediate caller when it differs from principal: the AWS role-session ARN, the federated principal:// or user that impersonated a service account.',
  },
  { name: 'source_ip', type: 'string', required: false, description: 'Caller IP address as logged.' },
  { name: 'user_agent', type: 'string', required: false, description: 'Caller user agent as logged.' },
  { name: 'account', type: 'string', required: false, description: 'AWS account id or GCP project id.' },
  { name: 'region', type: 'string', required: false, description: 'AWS region or GCP location where known.' },
  { name: 'raw', type: 'json', required: true, description: 'The original record, unchanged.' },
  {
    name: 'binding_deltas',
    type: 'json',
    required: false,
    addedLater: true,
    description:
      'For trust changes (SetIamPolicy on a service account; on a project or bucket only the federated deltas): the logged binding deltas, [{action, role, member}]; else null.',
  },
  {
    name: 'trust',
    type: 'json',
    required: false,
    addedLater: true,
    description:
      'For trust changes that set who may federate into the principal (an AWS role trust policy, an OIDC provider, a GCP workload identity pool provider): the trusts it sets, [{issuer, audiences, subjects, condition}], one per federated statement or provider; audiences and subjects the admitted values or patterns (null: not constrained), condition the raw condition as logged; on an update, updated lists the fields it sets (the others keep their earlier values); else null.',
  },
  {
    name: 'minted_identity',
    type: 'string',
    required: false,
    addedLater: true,
    description:
      "The identity the credential a call minted shows to another cloud, the join key of cross-cloud chains: for AssumeRoleWithWebIdentity the role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, the subject a GCP workload identity pool logs for that AWS workload); for iamcredentials calls the service account's numeric unique id (the sub of its ID tokens, the subject AWS logs for accounts.google.com); else null.",
  },
] as const satisfies readonly ColumnSpec[];

export type Column = (typeof COLUMNS)[number];
export type ColumnName = Column['name'];
export const COLUMN_NAMES: readonly ColumnName[] = COLUMNS.map((c) => c.name);
