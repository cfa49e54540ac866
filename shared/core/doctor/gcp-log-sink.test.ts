import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_ROUTER_FILTER } from '../queries/log-router-filter.js';
import { type CheckStatus, type Fetched, fetched, fetchFailed } from './check-result.js';
import { checkLogSink, type LogSink, pubsubTopicOf, type SinkInputs } from './gcp-log-sink.js';
import type { IamPolicy } from './iam-policy.js';

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;
}

const WRITER = 'serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com';

function sink(changes: Partial<LogSink> = {}): Fetched<LogSink> {
  return fetched({ ...load<LogSink>('sink-tokentrail.json'), filter: LOG_ROUTER_FILTER, ...changes });
}

function inputs(changes: Partial<SinkInputs>): SinkInputs {
  return {
    project: 'acme-audit',
    sinkName: 'tokentrail-audit',
    sink: sink(),
    topicPolicy: fetched(load<IamPolicy>('topic-policy-publisher.json')),
    projectPolicy: fetched(load<IamPolicy>('project-policy-complete.json')),
    expectedFilter: LOG_ROUTER_FILTER,
    ...changes,
  };
}

const DENIED = { kind: 'denied', httpStatus: 403, code: 'PERMISSION_DENIED', message: 'denied' } as const;

type Statuses = [sink: CheckStatus, filter: CheckStatus, publish: CheckStatus];

describe('checkLogSink', () => {
  const cases: [name: string, changes: Partial<SinkInputs>, expected: Statuses][] = [
    ['all good', {}, ['ok', 'ok', 'ok']],
    ['disabled sink', { sink: sink({ disabled: true }) }, ['fail', 'ok', 'ok']],
    [
      'filter differs',
      { sink: sink({ filter: 'logName:"cloudaudit.googleapis.com"' }) },
      ['ok', 'warn', 'ok'],
    ],
    [
      'filter the same but for whitespace',
      { sink: sink({ filter: `  ${LOG_ROUTER_FILTER.replaceAll(' ', '\n  ')}` }) },
      ['ok', 'ok', 'ok'],
    ],
    ['no filter', { sink: sink({ filter: '' }) }, ['ok', 'warn', 'ok']],
    ['an exclusion', { sink: sink({ exclusions: [{ name: 'drop-storage' }] }) }, ['ok', 'warn', 'ok']],
    [
      'a disabled exclusion',
      { sink: sink({ exclusions: [{ name: 'old', disabled: true }] }) },
      ['ok', 'ok', 'ok'],
    ],
    [
      'writer without publisher',
      { topicPolicy: fetched(load<IamPolicy>('topic-policy-no-publisher.json')) },
      ['ok', 'ok', 'fail'],
    ],
    [
      'writer granted on the project instead',
      {
        topicPolicy: fetched(load<IamPolicy>('topic-policy-no-publisher.json')),
        projectPolicy: fetched(load<IamPolicy>('project-policy-publisher-on-project.json')),
      },
      ['ok', 'ok', 'ok'],
    ],
    [
      'writer granted under a condition',
      { topicPolicy: fetched(load<IamPolicy>('topic-policy-conditional-publisher.json')) },
      ['ok', 'ok', 'warn'],
    ],
    ['topic policy denied', { topicPolicy: fetchFailed(DENIED) }, ['ok', 'ok', 'skipped']],
    [
      'topic policy denied, project grants',
      {
        topicPolicy: fetchFailed(DENIED),
        projectPolicy: fetched(load<IamPolicy>('project-policy-publisher-on-project.json')),
      },
      ['ok', 'ok', 'ok'],
    ],
    [
      'topic missing',
      {
        topicPolicy: fetchFailed({
          kind: 'not_found',
          httpStatus: 404,
          code: 'NOT_FOUND',
          message: 'Resource not found',
        }),
      },
      ['ok', 'ok', 'fail'],
    ],
    ['no writer identity', { sink: sink({ writerIdentity: '' }) }, ['ok', 'ok', 'warn']],
    [
      'a BigQuery destination',
      { sink: sink({ destination: 'bigquery.googleapis.com/projects/acme-audit/datasets/audit' }) },
      ['warn', 'ok', 'skipped'],
    ],
    ['sink denied', { sink: fetchFailed(DENIED) }, ['skipped', 'skipped', 'skipped']],
    [
      'sink missing',
      {
        sink: fetchFailed({
          kind: 'not_found',
          httpStatus: 404,
          code: 'NOT_FOUND',
          message: 'Sink does not exist',
        }),
      },
      ['fail', 'skipped', 'skipped'],
    ],
  ];

  it.each(cases)('%s', (_name, changes, expected) => {
    const results = checkLogSink(inputs(changes));
    expect(results.map((result) => result.check)).toEqual([
      'gcp.sink',
      'gcp.sink.filter',
      'gcp.sink.publish',
    ]);
    expect(results.map((result) => result.status)).toEqual(expected);
  });

  it('gives the exact binding to add when the writer cannot publish', () => {
    const results = checkLogSink(
      inputs({ topicPolicy: fetched(load<IamPolicy>('topic-policy-no-publisher.json')) }),
    );
    const publish = results[2]!;
    expect(publish.message).toContain(
      `${WRITER} holds no publisher role on topic tokentrail-audit or project acme-audit`,
    );
    expect(publish.fix).toBe(
      `gcloud pubsub topics add-iam-policy-binding tokentrail-audit --project=acme-audit --member=${WRITER} --role=roles/pubsub.publisher`,
    );
  });

  it('gives the update command with tokentrail filter, quoted for the shell', () => {
    const [, filter] = checkLogSink(inputs({ sink: sink({ filter: 'severity>=ERROR' }) }));
    expect(filter!.fix).toBe(
      `gcloud logging sinks update tokentrail-audit --project=acme-audit --log-filter='${LOG_ROUTER_FILTER}'`,
    );
    const [disabled] = checkLogSink(inputs({ sink: sink({ disabled: true }) }));
    expect(disabled!.fix).toBe(
      'gcloud logging sinks update tokentrail-audit --project=acme-audit --no-disabled',
    );
  });

  it('says what to grant when the sink cannot be read', () => {
    const [first] = checkLogSink(inputs({ sink: fetchFailed(DENIED) }));
    expect(first!.message).toBe(
      'could not read sink tokentrail-audit in project acme-audit: 403 PERMISSION_DENIED: denied; grant roles/logging.viewer on project acme-audit or run with a principal that can',
    );
  });

  it('is skipped with a hint when no sink is named', () => {
    const results = checkLogSink({ project: 'acme-audit', expectedFilter: LOG_ROUTER_FILTER });
    expect(results).toEqual([expect.objectContaining({ check: 'gcp.sink', status: 'skipped' })]);
    expect(results[0]!.message).toContain('--sink NAME');
  });
});

describe('pubsubTopicOf', () => {
  it.each([
    ['pubsub.googleapis.com/projects/p1/topics/t1', { project: 'p1', topic: 't1' }],
    ['bigquery.googleapis.com/projects/p1/datasets/d', null],
    ['storage.googleapis.com/bucket', null],
    [undefined, null],
  ])('%s', (destination, expected) => {
    expect(pubsubTopicOf(destination)).toEqual(expected);
  });
});
