/** The names `tokentrail sinks apply` uses when none are given. */
export const DEFAULT_SINK = 'tokentrail-audit';
export const DEFAULT_TOPIC = 'tokentrail-audit-logs';
