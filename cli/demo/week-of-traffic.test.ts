import { gunzipSync } from 'node:zlib';
import { normalizeRecord } from '../../shared/core/normalize/normalize-record.js';
import type { Row } from '../../shared/core/schema/row.js';
import { decodeBytes } from '../../shared/sources/decode-stream.js';
import type { Delivery } from '../../shared/sources/decoded-item.js';
import { FORK_SUBJECT, HOSTILE_SUBJECT, STOLEN_KEY_IP, WRONG_AUDIENCE } from './incidents.js';
import { VENDOR_TENANT } from './organisation.js';
import { type DemoFile, weekOfTraffic } from './week-of-traffic.js';

const END = new Date('2026-11-16T09:00:00Z');
const traffic = weekOfTraffic({ end: END });

/** The order `tokentrail normalize DIR` reads files in: each directory level sorted by name. */
function readingOrder(files: readonly DemoFile[]): DemoFile[] {
  const compare = (a: string, b: string): number => {
    const left = a.split('/');
    const right = b.split('/');
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
      const order = left[i]!.localeCompare(right[i]!);
      if (order !== 0) return order;
    }
    return left.length - right.length;
  };
  return [...files].sort((a, b) => compare(a.path, b.path));
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

interface Ingested {
  readonly file: number;
  readonly delivery: Delivery;
  readonly kind: string;
  readonly row: Row;
}

function ingest(files: readonly DemoFile[]): { rows: Ingested[]; problems: string[] } {
  const rows: Ingested[] = [];
  const problems: string[] = [];
  files.forEach((file, index) => {
    for (const item of decodeBytes(file.bytes)) {
      if (item.type !== 'record') {
        problems.push(`${file.path}: ${item.type} ${JSON.stringify(item)}`);
        continue;
      }
      const outcome = normalizeRecord(item.record);
      if (outcome.type === 'row')
        rows.push({ file: index, delivery: item.delivery, kind: outcome.kind, row: outcome.row });
      else problems.push(`${file.path}: ${JSON.stringify(outcome)}`);
    }
  });
  return { rows, problems };
}

const files = readingOrder(traffic.files);
const { rows, problems } = ingest(files);
/** One row per event, as the store keeps it: the first delivery read wins. */
const events = [...new Map(rows.map((ingested) => [ingested.row.event_id, ingested] as const)).values()];
const rowsOf = (kind: string) => events.filter((event) => event.kind === kind).map((event) => event.row);

const mints = rowsOf('aws.sts.AssumeRoleWithWebIdentity');
const s3 = rowsOf('aws.s3.DataEvent');
const subjectOfKey = new Map(
  mints.flatMap((row) => (row.credential_id ? [[row.credential_id, row.subject]] : [])),
);

describe('weekOfTraffic', () => {
  it('is deterministic for a seed and an end, and differs for another seed', () => {
    const again = weekOfTraffic({ end: new Date(END.getTime()) });
    expect(again.files.map((file) => file.path)).toEqual(traffic.files.map((file) => file.path));
    again.files.forEach((file, i) => {
      expect(Buffer.from(file.bytes).equals(Buffer.from(traffic.files[i]!.bytes))).toBe(true);
    });
    expect(again.incidents).toEqual(traffic.incidents);

    const other = weekOfTraffic({ end: END, seed: 7 });
    expect(other.files.map((file) => file.path)).not.toEqual(traffic.files.map((file) => file.path));
  });

  it('covers the seven days before the end', () => {
    expect(traffic.end.toISOString()).toBe(END.toISOString());
    expect(traffic.end.getTime() - traffic.start.getTime()).toBe(7 * 24 * 3600 * 1000);
    const times = events.map((event) => Date.parse(event.row.event_time));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(traffic.start.getTime());
    expect(Math.max(...times)).toBeLessThanOrEqual(traffic.end.getTime());
  });

  it('decodes and normalizes every file without a reject or a skip', () => {
    expect(problems).toEqual([]);
    expect(events.length).toBeGreaterThanOrEqual(3000);
    expect(events.length).toBeLessThanOrEqual(8000);
  });

  it('has every event kind, and every record in its real delivery envelope', () => {
    const kinds = new Set(events.map((event) => event.kind));
    expect([...kinds].sort()).toEqual([
      'aws.iam.TrustChange',
      'aws.s3.DataEvent',
      'aws.sts.AssumeRoleWithWebIdentity',
      'gcp.iam.SetIamPolicy',
      'gcp.iamcredentials.GenerateAccessToken',
      'gcp.storage.DataAccess',
      'gcp.sts.ExchangeToken',
    ]);
    const deliveries = new Set(rows.map((row) => row.delivery));
    expect([...deliveries].sort()).toEqual(['cloudtrail-file', 'eventbridge', 'plain', 'pubsub']);
    const cloudTrailFile =
      /^aws\/AWSLogs\/(\d{12})\/CloudTrail\/us-east-1\/\d{4}\/\d{2}\/\d{2}\/\1_CloudTrail_us-east-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;
    const cloudTrailFiles = files.filter((file) => file.path.startsWith('aws/AWSLogs/'));
    expect(cloudTrailFiles.every((file) => cloudTrailFile.test(file.path))).toBe(true);
    expect(new Set(cloudTrailFiles.map((file) => file.path.split('/')[2]))).toEqual(
      new Set(['111122223333', '444455556666']),
    );
  });

  it('gives every S3 call a key minted by an exchange, some of them delivered before that exchange', () => {
    expect(s3.every((row) => row.credential_id !== null && subjectOfKey.has(row.credential_id))).toBe(true);
    const firstFile = (predicate: (ingested: Ingested) => boolean) => {
      const files = new Map<string, number>();
      for (const ingested of rows) {
        const key = ingested.row.credential_id;
        if (key !== null && predicate(ingested) && !files.has(key)) files.set(key, ingested.file);
      }
      return files;
    };
    const minted = firstFile((ingested) => ingested.kind === 'aws.sts.AssumeRoleWithWebIdentity');
    const used = firstFile((ingested) => ingested.kind === 'aws.s3.DataEvent');
    const lateMints = [...used].filter(([key, file]) => file < minted.get(key)!);
    expect(lateMints.length).toBeGreaterThan(10);
  });

  it('delivers exchanges twice, through a CloudTrail file and EventBridge, under one eventID', () => {
    const viaEventBridge = rows.filter((ingested) => ingested.delivery === 'eventbridge');
    const inLogFiles = new Set(
      rows
        .filter((ingested) => ingested.delivery === 'cloudtrail-file')
        .map((ingested) => ingested.row.event_id),
    );
    expect(viaEventBridge.length).toBeGreaterThan(10);
    expect(viaEventBridge.every((ingested) => inLogFiles.has(ingested.row.event_id))).toBe(true);
    expect(viaEventBridge.every((ingested) => ingested.kind === 'aws.sts.AssumeRoleWithWebIdentity')).toBe(
      true,
    );
  });

  it('pushes the GCP errors through Pub/Sub as well as the sink files, under one event id', () => {
    const pushed = rows.filter((ingested) => ingested.delivery === 'pubsub');
    const inSinkFiles = new Set(
      rows.filter((ingested) => ingested.delivery === 'plain').map((ingested) => ingested.row.event_id),
    );
    expect(pushed.length).toBeGreaterThanOrEqual(3);
    expect(
      pushed.every(
        (ingested) => ingested.row.outcome === 'failure' && inSinkFiles.has(ingested.row.event_id),
      ),
    ).toBe(true);
  });

  it('gives each CloudTrail record a unique eventID and each LogEntry a unique insertId', () => {
    const once = (delivery: Delivery) => rows.filter((ingested) => ingested.delivery === delivery);
    const eventIds = once('cloudtrail-file').map((ingested) => ingested.row.event_id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(eventIds.every((id) => uuid.test(id))).toBe(true);
    const insertIds = once('plain').map((ingested) => (ingested.row.raw as { insertId: string }).insertId);
    expect(new Set(insertIds).size).toBe(insertIds.length);
  });
});

describe('planted incidents', () => {
  it('lists each one once', () => {
    expect(traffic.incidents.map((incident) => incident.id)).toEqual([
      'weak-deploy-role-trust',
      's3-access-denied-burst',
      'aws-token-audience-mismatch',
      'fork-pull-request-assumed-deploy-role',
      'gcp-token-audience-mismatch',
      'vendor-reads-unusual-bucket',
      'subject-with-markup-and-control-characters',
      'whole-pool-granted-impersonation',
      'stolen-deploy-key',
    ]);
  });

  it("a deploy job's key is used from outside GitHub's ranges an hour after its mint", () => {
    const used = s3.filter((row) => row.source_ip === STOLEN_KEY_IP);
    expect(used).toHaveLength(2);
    const mint = mints.find((row) => row.credential_id === used[0]!.credential_id);
    expect(mint).toMatchObject({ subject: 'repo:acme/payments-api:ref:refs/heads/main', outcome: 'success' });
    expect(Date.parse(used[0]!.event_time) - Date.parse(mint!.event_time)).toBeGreaterThan(60 * 60_000);
  });

  it('a fork’s pull request assumes the deploy role and reads production assets', () => {
    const fork = mints.filter((row) => row.subject === FORK_SUBJECT);
    expect(fork).toHaveLength(1);
    expect(fork[0]).toMatchObject({
      outcome: 'success',
      principal: 'arn:aws:iam::111122223333:role/github-deploy',
    });
    const reads = s3.filter((row) => row.credential_id === fork[0]!.credential_id);
    expect(reads.map((row) => row.bucket)).toEqual(Array(reads.length).fill('acme-prod-assets'));
    expect(reads.filter((row) => row.action === 'GetObject').length).toBeGreaterThanOrEqual(3);
  });

  it('AssumeRoleWithWebIdentity fails the audience check, the audience recovered from principalId', () => {
    const failures = mints.filter((row) => row.error_code === 'InvalidIdentityToken');
    expect(failures.length).toBeGreaterThanOrEqual(4);
    for (const row of failures) {
      expect(row).toMatchObject({
        outcome: 'failure',
        error_message: 'Incorrect token audience',
        audience: WRONG_AUDIENCE,
        credential_id: null,
      });
      expect((row.raw as { responseElements: unknown }).responseElements).toBeNull();
    }
  });

  it('GCP ExchangeToken fails the audience check with INVALID_ARGUMENT', () => {
    const failures = rowsOf('gcp.sts.ExchangeToken').filter((row) => row.outcome === 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const row of failures) {
      expect(row.error_code).toBe('INVALID_ARGUMENT');
      expect(row.error_message).toContain(`The audience in ID Token [${WRONG_AUDIENCE}] does not match`);
    }
  });

  it('the vendor reads a bucket it never read before, at about 03:00 UTC', () => {
    const vendorKeys = new Set(
      mints.filter((row) => row.subject === VENDOR_TENANT).map((row) => row.credential_id),
    );
    const vendorReads = s3.filter((row) => vendorKeys.has(row.credential_id));
    const unusual = vendorReads.filter((row) => row.bucket !== 'acme-audit-logs');
    expect(new Set(vendorReads.map((row) => row.bucket))).toEqual(
      new Set(['acme-audit-logs', 'acme-prod-data']),
    );
    expect(unusual.length).toBeGreaterThanOrEqual(5);
    expect(new Set(unusual.map((row) => row.credential_id)).size).toBe(1);
    expect(unusual.every((row) => new Date(row.event_time).getUTCHours() === 3)).toBe(true);
  });

  it('an EKS workload is denied S3 many times within a few minutes', () => {
    const denied = s3.filter((row) => row.error_code === 'AccessDenied');
    expect(denied.length).toBeGreaterThanOrEqual(20);
    expect(new Set(denied.map((row) => subjectOfKey.get(row.credential_id!)))).toEqual(
      new Set(['system:serviceaccount:ml:feature-loader']),
    );
    const times = denied.map((row) => Date.parse(row.event_time));
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(5 * 60 * 1000);
  });

  it('a subject with a mention, Markdown and a control character arrives intact, as valid JSON', () => {
    expect(mints.filter((row) => row.subject === HOSTILE_SUBJECT)).toHaveLength(1);
    const incident = traffic.incidents.find((candidate) => candidate.id.startsWith('subject-with'))!;
    expect(incident.detail).not.toContain('\u001b');
    // JSON.stringify escapes control characters: no file carries a raw one.
    for (const file of files) {
      const text = (file.path.endsWith('.gz') ? gunzipSync(file.bytes) : Buffer.from(file.bytes)).toString(
        'utf8',
      );
      expect(hasControlCharacter(text.replaceAll('\n', ''))).toBe(false);
    }
  });
});
