/** The parts of a GCP IAM policy (v3, as getIamPolicy returns it) the doctor reads. */
export interface AuditLogConfig {
  readonly logType?: string;
  readonly exemptedMembers?: readonly string[];
}

export interface AuditConfig {
  readonly service?: string;
  readonly auditLogConfigs?: readonly AuditLogConfig[];
}

export interface IamBinding {
  readonly role?: string;
  readonly members?: readonly string[];
  readonly condition?: { readonly title?: string; readonly expression?: string };
}

export interface IamPolicy {
  readonly version?: number;
  readonly bindings?: readonly IamBinding[];
  readonly auditConfigs?: readonly AuditConfig[];
}

export interface Grant {
  readonly role: string;
  /** The condition's title or expression when the binding is conditional. */
  readonly condition: string | null;
}

/** The bindings that give `member` one of `roles`, unconditional ones first. */
export function grantsTo(policy: IamPolicy, member: string, roles: readonly string[]): Grant[] {
  const grants = (policy.bindings ?? [])
    .filter((binding) => roles.includes(binding.role ?? '') && (binding.members ?? []).includes(member))
    .map((binding) => ({
      role: binding.role ?? '',
      condition: binding.condition
        ? (binding.condition.title ?? binding.condition.expression ?? 'a condition')
        : null,
    }));
  return grants.sort((a, b) => Number(a.condition !== null) - Number(b.condition !== null));
}
