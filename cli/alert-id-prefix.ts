/** The shortest prefix of an alert id `alerts ack` takes, as git takes a commit's. */
export const MIN_ALERT_ID_PREFIX = 6;

export type AlertIdMatch =
  | { readonly kind: 'one'; readonly id: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'too-short' }
  | { readonly kind: 'ambiguous'; readonly ids: readonly string[] };

/**
 * The alert `given` names among the `known` ids: the id itself, or the one id that starts with it
 * when it is at least MIN_ALERT_ID_PREFIX hex digits (any case).
 */
export function matchAlertId(given: string, known: readonly string[]): AlertIdMatch {
  if (known.includes(given)) return { kind: 'one', id: given };
  const prefix = given.toLowerCase();
  if (!/^[0-9a-f]+$/.test(prefix)) return { kind: 'none' };
  if (prefix.length < MIN_ALERT_ID_PREFIX) return { kind: 'too-short' };
  const ids = [...new Set(known.filter((id) => id.startsWith(prefix)))];
  if (ids.length === 0) return { kind: 'none' };
  return ids.length === 1 ? { kind: 'one', id: ids[0]! } : { kind: 'ambiguous', ids };
}
