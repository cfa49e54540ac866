/**
 * Which Cloud Audit Logs entries tokentrail reads, in one place: the Log Router sink's filter
 * (Terraform, `tokentrail sinks apply`), the backfill's entries.list filter and the Eventarc
 * triggers all derive from this list. Token exchanges and impersonation are Data Access
 * (ADMIN_READ) logs and GCS reads DATA_READ: all off until the project's audit config enables them.
 */
export interface AuditedMethod {
  readonly serviceName: string;
  /** Exact method names, as Eventarc triggers need them. */
  readonly methods: readonly string[];
}

/**
 * The workload identity pool and provider changes normalize/gcp-iam-pool-provider-change.ts reads
 * (Admin Activity, always logged), under both API versions IAM's audit logging page lists.
 */
const WORKLOAD_IDENTITY_POOL_METHODS = [
  'CreateWorkloadIdentityPoolProvider',
  'UpdateWorkloadIdentityPoolProvider',
  'DeleteWorkloadIdentityPoolProvider',
  'UndeleteWorkloadIdentityPoolProvider',
  'CreateWorkloadIdentityPool',
  'UndeleteWorkloadIdentityPool',
] as const;

export const AUDITED_METHODS: readonly AuditedMethod[] = [
  {
    serviceName: 'sts.googleapis.com',
    methods: [
      'google.identity.sts.v1.SecurityTokenService.ExchangeToken',
      'google.identity.sts.v1beta.SecurityTokenService.ExchangeToken',
    ],
  },
  {
    serviceName: 'iamcredentials.googleapis.com',
    methods: ['GenerateAccessToken', 'GenerateIdToken', 'SignJwt', 'SignBlob'],
  },
  {
    serviceName: 'storage.googleapis.com',
    methods: [
      'storage.objects.get',
      'storage.objects.create',
      'storage.objects.delete',
      'storage.objects.list',
      // A bucket's IAM policy change (Admin Activity): grants to federated members, gcp-direct-federated-grant.ts.
      'storage.setIamPermissions',
    ],
  },
  {
    // A project's IAM policy change (Admin Activity): grants to federated members, gcp-direct-federated-grant.ts.
    serviceName: 'cloudresourcemanager.googleapis.com',
    methods: ['SetIamPolicy'],
  },
  {
    serviceName: 'iam.googleapis.com',
    methods: [
      'google.iam.admin.v1.SetIAMPolicy',
      ...WORKLOAD_IDENTITY_POOL_METHODS.flatMap((method) => [
        `google.iam.v1.WorkloadIdentityPools.${method}`,
        `google.iam.v1beta.WorkloadIdentityPools.${method}`,
      ]),
    ],
  },
];

/** The services whose Data Access audit logs must be on (DATA_READ for storage, ADMIN_READ for the rest). */
export const DATA_ACCESS_SERVICES = [
  'sts.googleapis.com',
  'iamcredentials.googleapis.com',
  'storage.googleapis.com',
] as const;

function quoted(text: string): string {
  return `"${text}"`;
}

/** The Cloud Logging filter for the sink and for entries.list. */
export const LOG_ROUTER_FILTER = [
  'logName:"cloudaudit.googleapis.com"',
  `(${AUDITED_METHODS.map(
    ({ serviceName, methods }) =>
      `(protoPayload.serviceName=${quoted(serviceName)} AND protoPayload.methodName=(${methods.map(quoted).join(' OR ')}))`,
  ).join(' OR ')})`,
].join(' AND ');
