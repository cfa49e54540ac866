import { DATA_ACCESS_SERVICES } from '../queries/log-router-filter.js';
import { shellQuote } from '../render/shell-quote.js';
import { type CheckResult, type Fetched, unreadable } from './check-result.js';
import type { AuditConfig, IamPolicy } from './iam-policy.js';

export const AUDIT_LOGS_CHECK = 'gcp.audit-logs';

type DataAccessService = (typeof DATA_ACCESS_SERVICES)[number];
type LogType = 'ADMIN_READ' | 'DATA_READ' | 'DATA_WRITE';

interface Needed {
  /** Without these the service's events tokentrail reads are not logged at all. */
  readonly required: readonly LogType[];
  /** Without these some of them are missing (GCS object creates and deletes). */
  readonly recommended: readonly LogType[];
}

/**
 * Token exchanges and impersonation are logged as ADMIN_READ Data Access logs, GCS reads as
 * DATA_READ and writes as DATA_WRITE (events.md §5, §6, §7); all are off until enabled.
 */
const NEEDED: Readonly<Record<DataAccessService, Needed>> = {
  'sts.googleapis.com': { required: ['ADMIN_READ'], recommended: [] },
  'iamcredentials.googleapis.com': { required: ['ADMIN_READ'], recommended: [] },
  'storage.googleapis.com': { required: ['DATA_READ'], recommended: ['DATA_WRITE'] },
};

const ALL_SERVICES = 'allServices';

interface Enabled {
  /** Where the log type is turned on: the service itself and/or allServices. */
  readonly from: string[];
  readonly exempted: string[];
}

/** The union of the service's own audit config and allServices, as Cloud Audit Logs applies them. */
function enabledLogTypes(configs: readonly AuditConfig[], service: string): Map<string, Enabled> {
  const enabled = new Map<string, Enabled>();
  for (const config of configs) {
    if (config.service !== service && config.service !== ALL_SERVICES) continue;
    for (const logConfig of config.auditLogConfigs ?? []) {
      if (!logConfig.logType) continue;
      const entry = enabled.get(logConfig.logType) ?? { from: [], exempted: [] };
      entry.from.push(config.service);
      for (const member of logConfig.exemptedMembers ?? []) {
        if (!entry.exempted.includes(member)) entry.exempted.push(member);
      }
      enabled.set(logConfig.logType, entry);
    }
  }
  return enabled;
}

function auditConfigFix(project: string, service: string, logTypes: readonly LogType[]): string {
  const config = JSON.stringify({ service, auditLogConfigs: logTypes.map((logType) => ({ logType })) });
  const terraformConfigs = logTypes
    .map((logType) => `audit_log_config { log_type = "${logType}" }`)
    .join(' ');
  const resourceName = service.split('.')[0];
  const quotedProject = shellQuote(project);
  return (
    `gcloud projects get-iam-policy ${quotedProject} --format=json > policy.json; add ${config} to "auditConfigs" ` +
    `(merge with an existing entry for the service); gcloud projects set-iam-policy ${quotedProject} policy.json ` +
    `— or in Terraform: resource "google_project_iam_audit_config" "${resourceName}" { project = "${project}" ` +
    `service = "${service}" ${terraformConfigs} }`
  );
}

function exemptionFix(project: string, service: string): string {
  return (
    `gcloud projects get-iam-policy ${shellQuote(project)} --format=json > policy.json; remove the ` +
    `"exemptedMembers" of ${service} (and of allServices) under "auditConfigs"; ` +
    `gcloud projects set-iam-policy ${shellQuote(project)} policy.json`
  );
}

function checkService(project: string, service: DataAccessService, configs: readonly AuditConfig[]) {
  const needed = NEEDED[service];
  const enabled = enabledLogTypes(configs, service);
  const missingRequired = needed.required.filter((logType) => !enabled.has(logType));
  const missingRecommended = needed.recommended.filter((logType) => !enabled.has(logType));
  const wanted = [...needed.required, ...needed.recommended];
  const base = { check: AUDIT_LOGS_CHECK, target: service };

  if (missingRequired.length > 0) {
    return {
      ...base,
      status: 'fail' as const,
      message:
        `Data Access audit logs ${missingRequired.join(', ')} ${missingRequired.length === 1 ? 'is' : 'are'} off for ${service} in project ${project}: ` +
        'these events are never written, so nothing reaches tokentrail and the empty stream looks like no ' +
        'activity (an audit config on a folder or the organization would also count; the doctor reads ' +
        "only the project's policy)",
      fix: auditConfigFix(project, service, wanted),
    };
  }
  if (missingRecommended.length > 0) {
    return {
      ...base,
      status: 'warn' as const,
      message:
        `${missingRecommended.join(', ')} ${missingRecommended.length === 1 ? 'is' : 'are'} off for ${service} in project ${project}: object ` +
        'creates and deletes are not logged (reads are)',
      fix: auditConfigFix(project, service, wanted),
    };
  }
  const exempted = [...new Set(wanted.flatMap((logType) => enabled.get(logType)?.exempted ?? []))];
  const sources = [...new Set(wanted.flatMap((logType) => enabled.get(logType)?.from ?? []))].map((source) =>
    source === ALL_SERVICES ? ALL_SERVICES : 'the service',
  );
  const on = `${wanted.join(', ')} on for ${service} (set on ${sources.join(' and ')})`;
  if (exempted.length > 0) {
    return {
      ...base,
      status: 'warn' as const,
      message: `${on}, but exempted: ${exempted.join(', ')}; their calls are not logged`,
      fix: exemptionFix(project, service),
    };
  }
  return { ...base, status: 'ok' as const, message: on, fix: '' };
}

/** One result per Data Access service tokentrail needs (DATA_ACCESS_SERVICES). */
export function checkAuditLogs(project: string, policy: Fetched<IamPolicy>): CheckResult[] {
  if (!policy.ok) {
    return DATA_ACCESS_SERVICES.map((service) =>
      unreadable(AUDIT_LOGS_CHECK, `the IAM policy of project ${project}`, policy.failure, {
        target: service,
        grant: `grant roles/iam.securityReviewer on project ${project}`,
      }),
    );
  }
  const configs = policy.value.auditConfigs ?? [];
  return DATA_ACCESS_SERVICES.map((service) => checkService(project, service, configs));
}
