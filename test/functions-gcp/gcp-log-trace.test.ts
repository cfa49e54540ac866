import { join } from 'node:path';
import { type BuiltSource, buildSource, startFunction } from './function-server.js';
import { binary, exchangeTokenEntry, PROJECT, sinkMessage, structured } from './gcp-events.js';

/**
 * The built functions under the real functions-framework, as Cloud Run serves them: each line they
 * write is one JSON object Cloud Logging parses (severity, message, the rest its jsonPayload), and a
 * request's trace header becomes the line's `logging.googleapis.com/trace` in the function's project.
 */

const TRACE_FIELD = 'logging.googleapis.com/trace';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

let built: BuiltSource;

beforeAll(async () => {
  built = await buildSource();
});
afterAll(() => built?.remove());

const env = (store: string) => ({
  TOKENTRAIL_STORE: join(built.directory, store),
  GOOGLE_CLOUD_PROJECT: PROJECT,
});

describe('the functions log lines Cloud Logging parses', () => {
  it('ingestPubSub: the traceparent header (or the event attribute) names the trace; no header, no trace', async () => {
    const server = await startFunction({
      source: built.source,
      target: 'ingestPubSub',
      signatureType: 'cloudevent',
      env: env('trace.duckdb'),
    });
    try {
      const entry = exchangeTokenEntry(
        'sts-trace',
        'repo:example-org/payments:ref:refs/heads/main',
        new Date().toISOString(),
      );
      const traced = binary(sinkMessage('8001', entry));
      const answers = [
        await server.send({
          ...traced,
          headers: { ...traced.headers, traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
        }),
        await server.send(
          structured({
            ...sinkMessage('8002', entry),
            traceparent: `00-${OTHER_TRACE_ID}-00f067aa0ba902b7-01`,
          }),
        ),
        await server.send(binary(sinkMessage('8003', entry))),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204]);
    } finally {
      await server.stop();
    }
    const lines = server.logLines();
    expect(lines.map((line) => [line.severity, line.input, line[TRACE_FIELD]])).toEqual([
      ['INFO', 'pubsub:8001', `projects/${PROJECT}/traces/${TRACE_ID}`],
      ['INFO', 'pubsub:8002', `projects/${PROJECT}/traces/${OTHER_TRACE_ID}`],
      ['INFO', 'pubsub:8003', undefined],
    ]);
    expect(lines[0]).toMatchObject({ message: expect.stringMatching(/^pubsub:8001: 1 written/), written: 1 });
  }, 60_000);

  it('scheduledDetect: an X-Cloud-Trace-Context header names the trace', async () => {
    const server = await startFunction({
      source: built.source,
      target: 'scheduledDetect',
      signatureType: 'http',
      env: env('schedule.duckdb'),
    });
    try {
      const answer = await server.send({
        headers: { 'content-type': 'application/json', 'x-cloud-trace-context': `${TRACE_ID}/12345;o=1` },
        body: '{}',
      });
      expect(answer.status).toBe(200);
    } finally {
      await server.stop();
    }
    expect(server.logLines()).toEqual([
      expect.objectContaining({ severity: 'INFO', [TRACE_FIELD]: `projects/${PROJECT}/traces/${TRACE_ID}` }),
    ]);
  }, 60_000);
});
