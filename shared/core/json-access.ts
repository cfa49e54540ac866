/** Small, total accessors for untrusted JSON: they never throw and treat '' as absent. */
export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function firstText(...values: unknown[]): string | null {
  for (const value of values) {
    const text = asText(value);
    if (text !== null) return text;
  }
  return null;
}
