import { terminalSafe } from '../render/terminal-safe.js';
import { parseIpPrefix } from './ip-address.js';
import type { RangeEntry } from './ip-ranges.js';

/** The three published lists, by the file each is saved as. */
export type RangeDocumentKind = 'aws' | 'gcp' | 'github';

export const RANGE_DOCUMENT_NAMES: Readonly<Record<RangeDocumentKind, string>> = {
  aws: 'AWS ip-ranges.json',
  gcp: 'Google Cloud cloud.json',
  github: 'GitHub meta',
};

/** A published list that is not in its documented shape. */
export class RangeDocumentError extends Error {
  override readonly name = 'RangeDocumentError';

  constructor(
    readonly kind: RangeDocumentKind,
    detail: string,
  ) {
    super(`${RANGE_DOCUMENT_NAMES[kind]}: ${detail}`);
  }
}

export interface RangeDocument {
  readonly kind: RangeDocumentKind;
  readonly entries: readonly RangeEntry[];
  /**
   * What the publisher says about this edition, as published: AWS `syncToken` and `createDate`,
   * Google's `syncToken` and `creationTime`; GitHub's meta has none.
   */
  readonly published: Readonly<Record<string, string>>;
}

type Json = Record<string, unknown>;

const QUOTED = 80;

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return `'${terminalSafe(text.length > QUOTED ? `${text.slice(0, QUOTED)}...` : text)}'`;
}

function objectOf(kind: RangeDocumentKind, json: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new RangeDocumentError(kind, 'not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RangeDocumentError(kind, 'not a JSON object');
  }
  return parsed as Json;
}

function arrayAt(kind: RangeDocumentKind, document: Json, key: string, required: boolean): unknown[] {
  const value = document[key];
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) throw new RangeDocumentError(kind, `"${key}" is not an array`);
  return value;
}

function publishedOf(document: Json, keys: readonly string[]): Record<string, string> {
  const published: Record<string, string> = {};
  for (const key of keys) {
    const value = document[key];
    if (typeof value === 'string' || typeof value === 'number') published[key] = String(value);
  }
  return published;
}

/** GLOBAL (AWS) and global (Google): traffic from any region, so no region to compare. */
function regionOf(value: string): string | null {
  return value === '' || value.toLowerCase() === 'global' ? null : value;
}

function cidrIn(kind: RangeDocumentKind, where: string, value: unknown, family: 4 | 6): string {
  const prefix = typeof value === 'string' ? parseIpPrefix(value) : null;
  if (prefix === null || prefix.family !== family) {
    throw new RangeDocumentError(kind, `${where} ${quote(value)} is not an IPv${family} CIDR`);
  }
  return (value as string).trim();
}

function textIn(kind: RangeDocumentKind, where: string, value: unknown): string {
  if (value === undefined) throw new RangeDocumentError(kind, `${where} is missing`);
  if (typeof value !== 'string')
    throw new RangeDocumentError(kind, `${where} ${quote(value)} is not a string`);
  return value;
}

function entryObject(kind: RangeDocumentKind, where: string, value: unknown): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RangeDocumentError(kind, `${where} is not an object`);
  }
  return value as Json;
}

/** AWS `ip-ranges.json`: `prefixes[].ip_prefix` and `ipv6_prefixes[].ipv6_prefix`, each with `region` and `service`. */
export function parseAwsIpRangesDocument(json: string): RangeDocument {
  const kind = 'aws';
  const document = objectOf(kind, json);
  const entries: RangeEntry[] = [];
  for (const [key, field, family] of [
    ['prefixes', 'ip_prefix', 4],
    ['ipv6_prefixes', 'ipv6_prefix', 6],
  ] as const) {
    arrayAt(kind, document, key, true).forEach((value, index) => {
      const where = `${key}[${index}]`;
      const item = entryObject(kind, where, value);
      entries.push({
        prefix: cidrIn(kind, `${where}.${field}`, item[field], family),
        provider: 'aws',
        region: regionOf(textIn(kind, `${where}.region`, item.region)),
        service: textIn(kind, `${where}.service`, item.service),
      });
    });
  }
  return { kind, entries, published: publishedOf(document, ['syncToken', 'createDate']) };
}

/** Google Cloud `cloud.json`: `prefixes[]` each with `ipv4Prefix` or `ipv6Prefix`, `scope` (the region) and `service`. */
export function parseGcpCloudRangesDocument(json: string): RangeDocument {
  const kind = 'gcp';
  const document = objectOf(kind, json);
  const entries = arrayAt(kind, document, 'prefixes', true).map((value, index): RangeEntry => {
    const where = `prefixes[${index}]`;
    const item = entryObject(kind, where, value);
    const v4 = item.ipv4Prefix !== undefined;
    if (v4 === (item.ipv6Prefix !== undefined)) {
      throw new RangeDocumentError(kind, `${where} must have exactly one of ipv4Prefix and ipv6Prefix`);
    }
    return {
      prefix: v4
        ? cidrIn(kind, `${where}.ipv4Prefix`, item.ipv4Prefix, 4)
        : cidrIn(kind, `${where}.ipv6Prefix`, item.ipv6Prefix, 6),
      provider: 'gcp',
      region: item.scope === undefined ? null : regionOf(textIn(kind, `${where}.scope`, item.scope)),
      service: item.service === undefined ? null : textIn(kind, `${where}.service`, item.service),
    };
  });
  return { kind, entries, published: publishedOf(document, ['syncToken', 'creationTime']) };
}

/**
 * GitHub's meta (`GET /meta`): the `actions` CIDRs, where GitHub-hosted runners run, and
 * `actions_macos` when present (the macOS runners, published apart).
 */
export function parseGithubMetaDocument(json: string): RangeDocument {
  const kind = 'github';
  const document = objectOf(kind, json);
  const entries: RangeEntry[] = [];
  for (const key of ['actions', 'actions_macos'] as const) {
    arrayAt(kind, document, key, key === 'actions').forEach((value, index) => {
      const where = `${key}[${index}]`;
      const prefix = typeof value === 'string' ? parseIpPrefix(value) : null;
      if (prefix === null) throw new RangeDocumentError(kind, `${where} ${quote(value)} is not a CIDR`);
      entries.push({
        prefix: (value as string).trim(),
        provider: 'github-actions',
        region: null,
        service: key,
      });
    });
  }
  return { kind, entries, published: {} };
}

export function parseAwsIpRanges(json: string): RangeEntry[] {
  return [...parseAwsIpRangesDocument(json).entries];
}

export function parseGcpCloudRanges(json: string): RangeEntry[] {
  return [...parseGcpCloudRangesDocument(json).entries];
}

export function parseGithubMeta(json: string): RangeEntry[] {
  return [...parseGithubMetaDocument(json).entries];
}

export const RANGE_DOCUMENT_PARSERS: Readonly<Record<RangeDocumentKind, (json: string) => RangeDocument>> = {
  aws: parseAwsIpRangesDocument,
  gcp: parseGcpCloudRangesDocument,
  github: parseGithubMetaDocument,
};
