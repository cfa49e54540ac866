import { LOG_ROUTER_FILTER } from '../../shared/core/queries/log-router-filter.js';
import { runCli } from '../helpers/cli-harness.js';
import { type FakeCloudLogging, startFakeCloudLogging, startResettingServer } from './fake-cloud-logging.js';

/**
 * `tokentrail sinks apply` against a local Cloud Logging (and Pub/Sub IAM) stand-in: the real
 * @google-cloud/logging client in REST mode, pointed at it with TOKENTRAIL_LOGGING_ENDPOINT.
 */
// gaxios loads its HTTP layer with import(), which jest's CommonJS sandbox refuses: the client and
// its auth library come from Node's own require, outside the sandbox, over real HTTP.
jest.mock('@google-cloud/logging', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('@google-cloud/logging'),
);
jest.mock('google-auth-library', () =>
  require('../helpers/fake-bigquery.js').requireOutsideJest('google-auth-library'),
);

let fake: FakeCloudLogging;

beforeEach(async () => {
  fake = await startFakeCloudLogging();
});

afterEach(async () => {
  await fake.close();
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tokentrail sinks apply ...` in-process, through the CLI's own entry, against the stand-in. */
function sinks(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCli(['sinks', 'apply', ...args], {
    env: { TOKENTRAIL_LOGGING_ENDPOINT: fake.url, TOKENTRAIL_PUBSUB_ENDPOINT: fake.url, ...env },
    now: new Date('2026-11-22T00:00:00Z'),
  });
}

const TOPIC = 'pubsub.googleapis.com/projects/my-project/topics/tokentrail-audit-logs';
const SINK_PATH = '/v2/projects/my-project/sinks/tokentrail-audit';
const WRITER = 'serviceAccount:service-100042@gcp-sa-logging.iam.gserviceaccount.com';

const routes = () => fake.requests.map((request) => `${request.method} ${request.path}`);

describe('tokentrail sinks apply', () => {
  it('creates the sink with the exact filter and a unique writer identity, then leaves it alone', async () => {
    const first = await sinks(['--project', 'my-project']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(routes()).toEqual([`GET ${SINK_PATH}`, 'POST /v2/projects/my-project/sinks']);
    const create = fake.requests[1]!;
    expect(create.query.uniqueWriterIdentity).toBe('true');
    expect(create.body).toEqual({ name: 'tokentrail-audit', destination: TOPIC, filter: LOG_ROUTER_FILTER });
    // Against an endpoint override, nothing is sent that could be a credential.
    expect(fake.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
    expect(first.stdout).toContain('created: sink tokentrail-audit in project my-project\n');
    expect(first.stdout).toContain(`  destination      ${TOPIC}\n`);
    expect(first.stdout).toContain(`  writer identity  ${WRITER}\n`);
    expect(first.stdout).toContain(
      `  gcloud pubsub topics add-iam-policy-binding tokentrail-audit-logs --project=my-project --member=${WRITER} --role=roles/pubsub.publisher\n`,
    );

    fake.requests.length = 0;
    const second = await sinks(['--project', 'my-project']);
    expect(second.code).toBe(0);
    expect(routes()).toEqual([`GET ${SINK_PATH}`]);
    expect(second.stdout).toContain('unchanged: sink tokentrail-audit in project my-project\n');
    expect(second.stdout).toContain(`  writer identity  ${WRITER}\n`);
  });

  it('updates a sink whose destination or filter differs, in place', async () => {
    await sinks(['--project', 'my-project']);
    fake.requests.length = 0;

    const moved = await sinks([
      '--project',
      'my-project',
      '--topic',
      'projects/my-project/topics/other-topic',
    ]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('updated: sink tokentrail-audit in project my-project (destination)\n');
    // sink.setMetadata reads the sink again and writes it back whole (UpdateSink over REST is a PUT).
    expect(routes()).toEqual([`GET ${SINK_PATH}`, `GET ${SINK_PATH}`, `PUT ${SINK_PATH}`]);
    const update = fake.requests[2]!;
    expect(update.query.uniqueWriterIdentity).toBe('true');
    expect(update.body).toMatchObject({
      name: 'tokentrail-audit',
      destination: 'pubsub.googleapis.com/projects/my-project/topics/other-topic',
      filter: LOG_ROUTER_FILTER,
    });

    // Someone narrowed the filter in the console: the next apply puts it back.
    fake.sinks.get('my-project/tokentrail-audit')!.filter = 'logName:"cloudaudit.googleapis.com"';
    fake.requests.length = 0;
    const restored = await sinks(['--project', 'my-project', '--topic', 'other-topic']);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('updated: sink tokentrail-audit in project my-project (filter)\n');
    expect(
      fake.requests.filter((request) => request.method === 'PUT' || request.method === 'PATCH'),
    ).toHaveLength(1);
    expect(fake.sinks.get('my-project/tokentrail-audit')!.filter).toBe(LOG_ROUTER_FILTER);
  });

  it('moves a sink off the legacy shared writer identity', async () => {
    fake.sinks.set('my-project/tokentrail-audit', {
      name: 'tokentrail-audit',
      destination: TOPIC,
      filter: LOG_ROUTER_FILTER,
      writerIdentity: 'serviceAccount:cloud-logs@system.gserviceaccount.com',
    });
    const run = await sinks(['--project', 'my-project']);
    expect(run.stdout).toContain('updated: sink tokentrail-audit in project my-project (writer identity)\n');
    expect(run.stdout).toContain(`  writer identity  ${WRITER}\n`);
  });

  it('changes nothing on a dry run', async () => {
    const absent = await sinks(['--project', 'my-project', '--dry-run']);
    expect(absent.code).toBe(0);
    expect(absent.stdout).toContain('would create: sink tokentrail-audit in project my-project\n');
    expect(absent.stdout).toContain('  writer identity  (assigned when the sink is created)\n');
    expect(routes()).toEqual([`GET ${SINK_PATH}`]);

    await sinks(['--project', 'my-project']);
    fake.requests.length = 0;
    const changed = await sinks(['--project', 'my-project', '--topic', 'other-topic', '--dry-run']);
    expect(changed.stdout).toContain(
      'would update: sink tokentrail-audit in project my-project (destination)\n',
    );
    expect(routes()).toEqual([`GET ${SINK_PATH}`]);
    expect(fake.sinks.get('my-project/tokentrail-audit')!.destination).toBe(TOPIC);
  });

  it('grants the writer identity publish permission on the topic with --grant, once', async () => {
    fake.policies.set('projects/my-project/topics/tokentrail-audit-logs', {
      etag: 'etag-0',
      bindings: [{ role: 'roles/pubsub.viewer', members: ['user:ops@example.com'] }],
    });
    const first = await sinks(['--project', 'my-project', '--grant']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'granted: roles/pubsub.publisher on projects/my-project/topics/tokentrail-audit-logs to the writer identity\n',
    );
    const set = fake.requests.find((request) => request.path.endsWith(':setIamPolicy'))!;
    expect(set.path).toBe('/v1/projects/my-project/topics/tokentrail-audit-logs:setIamPolicy');
    expect(set.body).toEqual({
      policy: {
        etag: 'etag-0',
        bindings: [
          { role: 'roles/pubsub.viewer', members: ['user:ops@example.com'] },
          { role: 'roles/pubsub.publisher', members: [WRITER] },
        ],
      },
    });

    fake.requests.length = 0;
    const second = await sinks(['--project', 'my-project', '--grant']);
    expect(second.stdout).toContain('unchanged: the writer identity already has roles/pubsub.publisher');
    expect(routes()).toEqual([
      `GET ${SINK_PATH}`,
      'GET /v1/projects/my-project/topics/tokentrail-audit-logs:getIamPolicy',
    ]);
  });

  it('prints the grant for a Cloud Storage destination and refuses --grant there', async () => {
    const run = await sinks([
      '--project',
      'my-project',
      '--destination',
      'storage.googleapis.com/audit-archive',
    ]);
    expect(run.code).toBe(0);
    expect(fake.requests[1]!.body.destination).toBe('storage.googleapis.com/audit-archive');
    expect(run.stdout).toContain(
      `  gcloud storage buckets add-iam-policy-binding gs://audit-archive --member=${WRITER} --role=roles/storage.objectCreator\n`,
    );
    const refused = await sinks([
      '--project',
      'my-project',
      '--destination',
      'storage.googleapis.com/audit-archive',
      '--grant',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--grant works for Pub/Sub topic destinations only');
  });

  it('says clearly when the caller may not manage sinks (403), and exits 1', async () => {
    fake.denied.add('locked-project');
    const run = await sinks(['--project', 'locked-project']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'tokentrail sinks apply: could not read sink tokentrail-audit: permission denied in project locked-project (The caller does not have permission on project locked-project); the caller needs roles/logging.configWriter there\n',
    );
  });

  it('says clearly when the project does not exist (404), and exits 1', async () => {
    fake.missing.add('missing-project');
    const run = await sinks(['--project', 'missing-project']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'tokentrail sinks apply: could not create sink tokentrail-audit: project missing-project was not found, or the Cloud Logging API is not enabled in it (Project missing-project not found)\n',
    );
    expect(routes()).toEqual([
      'GET /v2/projects/missing-project/sinks/tokentrail-audit',
      'POST /v2/projects/missing-project/sinks',
    ]);
  });

  it('says so when Cloud Logging cannot be reached, and exits 1', async () => {
    const closed = fake.url;
    await fake.close();
    const run = await sinks(['--project', 'my-project'], { TOKENTRAIL_LOGGING_ENDPOINT: closed });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^tokentrail sinks apply: could not read sink tokentrail-audit: could not reach Cloud Logging \(.*ECONNREFUSED.*\)\n$/,
    );
    fake = await startFakeCloudLogging(); // for afterEach
  });

  // Fast means one attempt, counted at the socket: a clock would measure the machine's load too.
  it('fails at the first broken connection, without trying again', async () => {
    const resetting = await startResettingServer();
    try {
      const run = await sinks(['--project', 'my-project'], { TOKENTRAIL_LOGGING_ENDPOINT: resetting.url });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^tokentrail sinks apply: could not read sink tokentrail-audit: could not reach Cloud Logging \(.*ECONNRESET.*\)\n$/,
      );
      expect(resetting.connections()).toBe(1);
    } finally {
      await resetting.close();
    }
  });

  it('refuses bad names before sending anything', async () => {
    for (const args of [
      ['--project', 'My Project'],
      ['--project', 'my-project', '--sink', 'a/b'],
      ['--project', 'my-project', '--topic', 'projects/x/../topics/y'],
      ['--project', 'my-project', '--destination', 'https://example.com/'],
      ['--project', 'my-project', '--topic', 't1', '--destination', 'storage.googleapis.com/b'],
    ]) {
      const run = await sinks(args);
      expect([args, run.code]).toEqual([args, 1]);
      expect(run.stderr).not.toBe('');
    }
    expect(fake.requests).toEqual([]);
  });
});
