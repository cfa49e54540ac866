import { existsSync } from 'node:fs';
import { openStore, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { EMPTY_POLICY, type Policy } from '../../shared/core/detect/policy.js';
import {
  type ObservedUse,
  type StoredTrustChange,
  type TrustReportLine,
  trustReport,
  trustReportResult,
  trustsFromChanges,
} from '../../shared/core/detect/trust-report.js';
import {
  type ConditionJudge,
  type ScannedPrincipal,
  type ScanProblem,
  trustsOf,
} from '../../shared/core/detect/trusts.js';
import { TRUST_HISTORY } from '../../shared/core/queries/detection-queries.js';
import { EXCHANGE_SUBJECTS } from '../../shared/core/queries/named-queries.js';
import type { QueryCell } from '../../shared/core/queries/query-result.js';
import { timeRange } from '../../shared/core/queries/time-range.js';
import { renderCsv, renderNdjson } from '../../shared/core/render/query-output.js';
import { terminalSafe } from '../../shared/core/render/terminal-safe.js';
import type { EventStore } from '../../shared/pipeline/ports.js';
import { type CliIo, EXIT, UsageError } from '../cli-io.js';
import { fittedTable } from '../fitted-table.js';
import type { OutputFormat } from './query.js';

export interface TrustScanOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  /** Whether the store was named (flag or environment) rather than the default. */
  readonly storeNamed: boolean;
  readonly format: OutputFormat;
  /** The table's width (see tableWidth); null: every cell whole. */
  readonly tableWidth: number | null;
  readonly since?: string;
  readonly until?: string;
  readonly policy: Policy | null;
  readonly aws?: { readonly region?: string; readonly endpoint?: string };
  readonly gcp?: { readonly projects: readonly string[]; readonly endpoint?: string };
}

/** Exit status when some principal's trust is weak or drifts from the policy. */
export const EXIT_FINDINGS = 4;

const text = (cell: QueryCell | undefined): string | null => (typeof cell === 'string' ? cell : null);

function grantsOf(cell: QueryCell | undefined): StoredTrustChange['grants'] {
  let value: unknown = cell;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(value)) return null;
  return value.flatMap((item) =>
    typeof item === 'object' && item !== null
      ? [
          {
            action: text((item as Record<string, QueryCell>).action),
            role: text((item as Record<string, QueryCell>).role),
            member: text((item as Record<string, QueryCell>).member),
          },
        ]
      : [],
  );
}

/** The offline trust scan: the store's trust history folded, judged, beside who used each trust. */
export async function storeTrustReport(
  store: EventStore,
  policy: Policy | null,
  range: { since: string; until: string },
): Promise<TrustReportLine[]> {
  const principals = await storedTrusts(store, range.until);
  return trustReport(
    principals,
    await observedUses(store, range.since, range.until),
    policy ?? EMPTY_POLICY,
    await judgeFor(principals),
  );
}

async function judgeFor(principals: readonly ScannedPrincipal[]): Promise<ConditionJudge | undefined> {
  if (!principals.some((principal) => principal.trusts.some((trust) => trust.condition))) return undefined;
  return (await import('../../shared/core/identity/gcp-attribute-condition.js')).celConditionJudge;
}

async function storedTrusts(store: EventStore, until: string): Promise<ScannedPrincipal[]> {
  const history = await store.query(TRUST_HISTORY, { until });
  return trustsFromChanges(
    history.rows.map((row) => ({
      cloud: text(row.cloud) ?? '',
      principal: text(row.principal),
      resource: text(row.resource),
      action: text(row.action) ?? '',
      trust: trustsOf(row.trust),
      grants: grantsOf(row.binding_deltas),
    })),
  );
}

async function observedUses(store: EventStore, since: string, until: string): Promise<ObservedUse[]> {
  const result = await store.query(EXCHANGE_SUBJECTS, { since, until });
  return result.rows.flatMap((row) => {
    const principal = text(row.principal);
    const subject = text(row.subject);
    return principal === null || subject === null ? [] : [{ principal, subject, count: Number(row.count) }];
  });
}

async function liveTrusts(
  options: TrustScanOptions,
): Promise<{ principals: ScannedPrincipal[]; problems: ScanProblem[] }> {
  const principals: ScannedPrincipal[] = [];
  const problems: ScanProblem[] = [];
  if (options.aws) {
    const { readAwsTrusts } = await import('../../shared/adapters/trust-scan/aws-trust-reader.js');
    const scan = await readAwsTrusts({
      ...(options.aws.region ? { region: options.aws.region } : {}),
      ...(options.aws.endpoint ? { endpoint: options.aws.endpoint } : {}),
    });
    principals.push(...scan.principals);
    problems.push(...scan.problems);
  }
  if (options.gcp) {
    const { readGcpTrusts } = await import('../../shared/adapters/trust-scan/gcp-trust-reader.js');
    const scan = await readGcpTrusts({
      projects: options.gcp.projects,
      ...(options.gcp.endpoint ? { endpoint: options.gcp.endpoint } : {}),
    });
    principals.push(...scan.principals);
    problems.push(...scan.problems);
  }
  return { principals, problems };
}

function render(options: TrustScanOptions, lines: readonly TrustReportLine[]): string {
  if (options.format === 'json') return renderNdjson(trustReportResult(lines));
  if (options.format === 'csv') return renderCsv(trustReportResult(lines));
  return fittedTable(trustReportResult(lines, { mostUsed: 3 }), options.tableWidth);
}

/**
 * `tokentrail trust scan`: per principal, what may become it (read live from the clouds with
 * --aws / --gcp, else folded from the trust changes the store holds), the verdict, and from the
 * store who actually became it in the window.
 */
export async function trustScanCommand(options: TrustScanOptions, io: CliIo): Promise<number> {
  const live = options.aws !== undefined || options.gcp !== undefined;
  const range = timeRange({ since: options.since ?? '30d', until: options.until }, io.now());
  // Live, the store is optional: it only adds who used each trust. Offline it is the only source.
  const useStore =
    !live || options.storeNamed || options.store.kind !== 'duckdb' || existsSync(options.store.path);
  const store = useStore
    ? await openStore(options.store, { ...options.storeOptions, mustExist: true })
    : null;
  try {
    const { principals, problems } = live
      ? await liveTrusts(options)
      : { principals: await storedTrusts(store!, range.until), problems: [] };
    const uses = store ? await observedUses(store, range.since, range.until) : [];
    const lines = trustReport(principals, uses, options.policy ?? EMPTY_POLICY, await judgeFor(principals));

    for (const problem of problems) {
      io.stderr.write(
        `tokentrail: could not read ${problem.cloud} ${terminalSafe(problem.scope)}: ${terminalSafe(problem.message)}\n`,
      );
    }
    const source = live
      ? [options.aws && 'AWS IAM', options.gcp && `GCP ${options.gcp.projects.join(', ')}`]
          .filter(Boolean)
          .join(' and ')
      : `the trust changes in ${store!.description}`;
    if (lines.length === 0) {
      io.stderr.write(
        live
          ? `tokentrail: no federated trust found in ${source}\n`
          : `tokentrail: ${store!.description} holds no trust change (CreateRole, UpdateAssumeRolePolicy, workload identity providers, federated grants); read the clouds instead with --aws or --gcp --project P\n`,
      );
      return problems.length > 0 ? EXIT.failure : EXIT.ok;
    }
    if (options.format === 'table') {
      const used = store
        ? `; used: ${store.description}, ${range.since.slice(0, 10)} to ${range.until.slice(0, 10)}`
        : '';
      io.stdout.write(`trust scan of ${source}${used}\n\n`);
    }
    io.stdout.write(render(options, lines));
    const flagged = lines.filter((line) => line.verdict !== 'ok').length;
    if (options.format === 'table') {
      io.stderr.write(
        `${lines.length} principal(s): ${lines.filter((line) => line.verdict === 'weak').length} weak, ${lines.filter((line) => line.verdict === 'drift').length} drifting from the policy${options.policy ? '' : ' (no --policy: drift not judged)'}\n`,
      );
    }
    if (problems.length > 0 && flagged === 0) return EXIT.failure;
    return flagged > 0 ? EXIT_FINDINGS : EXIT.ok;
  } finally {
    await store?.close();
  }
}

export function assertProjects(projects: readonly string[]): void {
  if (projects.length === 0)
    throw new UsageError('--gcp needs at least one --project P (or GOOGLE_CLOUD_PROJECT)');
}
