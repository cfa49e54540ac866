import type { QuarantineRow } from '../../core/schema/row.js';
import type { Rejection } from '../../pipeline/ports.js';
import { stableId } from './stable-id.js';

/**
 * The stored form of a rejection. Its id hashes where the record came from and its bytes, so
 * re-ingesting an input keeps one copy, while equal bytes at two places stay two records.
 */
export function quarantineRow(rejection: Rejection, quarantinedAt: string): QuarantineRow {
  const { input, delivery, position, code, message, raw } = rejection;
  const id = stableId(
    JSON.stringify([input, delivery, position.value, position.path, position.offset, code, raw]),
  );
  return {
    quarantine_id: id,
    quarantined_at: quarantinedAt,
    input,
    delivery,
    position: { value: position.value, path: position.path, offset: position.offset },
    code,
    message,
    raw,
  };
}
