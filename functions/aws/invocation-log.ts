/**
 * One JSON line per invocation on stdout, which Lambda sends to CloudWatch Logs as it is (no
 * prefix), so Logs Insights can query its fields. It holds counts, object names and error
 * messages; webhook URLs never reach it (the chat adapters redact them).
 */
export function logInvocation(line: object): void {
  process.stdout.write(`${JSON.stringify({ type: 'invocation', ...line })}\n`);
}
