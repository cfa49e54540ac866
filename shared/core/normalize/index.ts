export type { AuditRecord, NormalizeOutcome, Normalizer } from './audit-record.js';
export { CLOUDTRAIL_NORMALIZERS, LOG_ENTRY_NORMALIZERS, normalizeRecord } from './normalize-record.js';
