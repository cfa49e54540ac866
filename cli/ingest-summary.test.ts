import type { IngestSummary } from '../shared/pipeline/ingest.js';
import { ingestSummaryFields } from './ingest-summary.js';

const SUMMARY: IngestSummary = {
  rows: 5,
  duplicates: 1,
  skipped: 2,
  rejected: 1,
  skippedBy: { not_federation: 2 },
  rejectedBy: { invalid_json: 1 },
  rowsByKind: { 'aws.sts.AssumeRoleWithWebIdentity': 5 },
  written: 4,
  quarantined: 1,
};

describe('ingestSummaryFields', () => {
  it('names every count as the rows and normalize do, in snake_case', () => {
    const fields = ingestSummaryFields(SUMMARY);
    expect(fields).toEqual({
      rows: 5,
      duplicates: 1,
      skipped: 2,
      rejected: 1,
      written: 4,
      quarantined: 1,
      skipped_by: { not_federation: 2 },
      rejected_by: { invalid_json: 1 },
      rows_by_kind: { 'aws.sts.AssumeRoleWithWebIdentity': 5 },
    });
    expect(Object.keys(fields).filter((key) => /[A-Z]/.test(key))).toEqual([]);
  });
});
