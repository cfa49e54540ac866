/** Severities Cloud Logging reads from the `severity` field of a JSON line on stdout or stderr. */
export type Severity = 'INFO' | 'WARNING' | 'ERROR';

export interface LogLine {
  readonly severity: Severity;
  /** What Cloud Logging shows as the entry's summary. */
  readonly message: string;
  readonly [field: string]: unknown;
}

export type WriteLog = (line: LogLine) => void;

/** One JSON object per line: Cloud Logging turns it into a structured entry (jsonPayload). */
export const writeLog: WriteLog = (line) => {
  const stream = line.severity === 'ERROR' ? process.stderr : process.stdout;
  stream.write(`${JSON.stringify(line)}\n`);
};
