/** One trust a change set (an entry of the `trust` column): who may federate into the row's principal. */
export interface Trust {
  readonly issuer?: string | null;
  readonly audiences?: readonly string[] | null;
  readonly subjects?: readonly string[] | null;
  readonly condition?: string | null;
  /** A GCP provider's attributeMapping (target → CEL expression), which its condition may read. */
  readonly mapping?: Readonly<Record<string, string>>;
  /** For an update, the fields it sets; the others keep their earlier values. */
  readonly updated?: readonly string[];
}

/**
 * The trusts of a `trust` cell: stores hand JSON columns back as text, rows from the normalizers
 * hold the array itself. Null when the cell says nothing (not a trust change, or not logged).
 */
export function trustsOf(value: unknown): Trust[] | null {
  let parsed = value;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(parsed)) return null;
  return parsed.filter((entry): entry is Trust => typeof entry === 'object' && entry !== null);
}
