import { newRow } from '../../shared/core/normalize/build-row.js';
import type { Row } from '../../shared/core/schema/row.js';

const ROLE = 'arn:aws:iam::111122223333:role/github-deploy';
const PROVIDER = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';

function base(id: string, time: string, overrides: Partial<Row>): Row {
  return Object.assign(
    newRow({
      event_id: id,
      event_time: time,
      cloud: 'aws',
      source: 'sts.amazonaws.com',
      action: 'AssumeRoleWithWebIdentity',
      category: 'token_exchange',
      outcome: 'success',
      error_code: null,
      error_message: null,
      source_ip: '203.0.113.7',
      user_agent: 'aws-sdk-js/3',
      account: '111122223333',
      region: 'us-east-1',
      raw: { eventID: id },
    }),
    overrides,
  );
}

/** An AssumeRoleWithWebIdentity row that minted `key` for `subject`. */
export function mintRow(
  id: string,
  time: string,
  key: string | null,
  subject: string,
  overrides: Partial<Row> = {},
): Row {
  return base(id, time, {
    principal: ROLE,
    subject,
    issuer: 'https://token.actions.githubusercontent.com',
    identity_provider: PROVIDER,
    audience: 'sts.amazonaws.com',
    resource: ROLE,
    credential_id: key,
    ...overrides,
  });
}

/** An S3 data event made with `key`: no subject of its own. */
export function s3Row(
  id: string,
  time: string,
  key: string,
  bucket: string,
  overrides: Partial<Row> = {},
): Row {
  return base(id, time, {
    source: 's3.amazonaws.com',
    action: 'GetObject',
    category: 'data_access',
    principal: ROLE,
    identity_provider: PROVIDER,
    resource: `s3://${bucket}/build/app.zip`,
    bucket,
    object: 'build/app.zip',
    credential_id: key,
    ...overrides,
  });
}

/** A GCS data access row that carries its subject itself. */
export function gcsRow(
  id: string,
  time: string,
  bucket: string,
  subject: string,
  overrides: Partial<Row> = {},
): Row {
  return base(id, time, {
    cloud: 'gcp',
    source: 'storage.googleapis.com',
    action: 'storage.objects.get',
    category: 'data_access',
    principal: 'deployer@acme-prod.iam.gserviceaccount.com',
    subject,
    identity_provider: 'projects/123456789012/locations/global/workloadIdentityPools/github/providers/github',
    resource: `gs://${bucket}/model.bin`,
    bucket,
    object: 'model.bin',
    account: 'acme-prod',
    region: null,
    ...overrides,
  });
}
