import { logWriter, TRACE_FIELD, traceIdOf } from './log-line.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('traceIdOf', () => {
  it('reads the trace id of a W3C traceparent', () => {
    expect(traceIdOf(`00-${TRACE_ID}-00f067aa0ba902b7-01`)).toBe(TRACE_ID);
  });

  it('reads an X-Cloud-Trace-Context when there is no traceparent, lower-cased', () => {
    expect(traceIdOf(undefined, `${TRACE_ID.toUpperCase()}/12345;o=1`)).toBe(TRACE_ID);
    expect(traceIdOf(undefined, TRACE_ID)).toBe(TRACE_ID);
  });

  it('prefers the traceparent, and falls back past an invalid one', () => {
    const other = '0af7651916cd43dd8448eb211c80319c';
    expect(traceIdOf(`00-${TRACE_ID}-00f067aa0ba902b7-01`, `${other}/1`)).toBe(TRACE_ID);
    expect(traceIdOf(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `${other}/1`)).toBe(other);
  });

  it('gives none for anything else, so a header cannot put free text in the line', () => {
    for (const header of ['', 'not-a-trace', `00-${TRACE_ID}`, `${TRACE_ID}x/1`, `"${TRACE_ID}"`]) {
      expect(traceIdOf(header, header)).toBeUndefined();
    }
    expect(traceIdOf(undefined, undefined)).toBeUndefined();
  });
});

describe('logWriter', () => {
  function written(write: (line: Parameters<ReturnType<typeof logWriter>>[0]) => void, severity = 'INFO') {
    const stream = severity === 'ERROR' ? process.stderr : process.stdout;
    const spy = jest.spyOn(stream, 'write').mockImplementation(() => true);
    try {
      write({ severity: severity as 'INFO', message: 'pubsub:1: 1 written', input: 'pubsub:1' });
      return spy.mock.calls.map(([chunk]) => String(chunk));
    } finally {
      spy.mockRestore();
    }
  }

  it('writes one JSON line: severity, message, the trace in the project Cloud Logging links it in', () => {
    const lines = written(logWriter(TRACE_ID, 'acme-audit'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({
      severity: 'INFO',
      message: 'pubsub:1: 1 written',
      input: 'pubsub:1',
      [TRACE_FIELD]: `projects/acme-audit/traces/${TRACE_ID}`,
    });
  });

  it('keeps the trace id in the payload when the project is unknown, and writes none without a trace', () => {
    expect(JSON.parse(written(logWriter(TRACE_ID, undefined))[0]!)).toMatchObject({ trace_id: TRACE_ID });
    expect(Object.keys(JSON.parse(written(logWriter(undefined, 'acme-audit'))[0]!))).toEqual([
      'severity',
      'message',
      'input',
    ]);
  });

  it('writes ERROR lines to stderr', () => {
    expect(JSON.parse(written(logWriter(), 'ERROR')[0]!)).toMatchObject({ severity: 'ERROR' });
  });
});
