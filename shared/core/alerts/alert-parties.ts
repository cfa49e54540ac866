import type { Alert } from './alert.js';

export type AlertParties = Pick<Alert, 'subject' | 'principal'>;

/**
 * Whom an alert concerns, as the subject and principal shown to people. A token exchange refused
 * before the token was mapped (GCP STS then logs neither) is shown by what its log does carry:
 * the audience the token presented and the caller in the subject's place, the identity provider
 * that refused it in the principal's. The values are untrusted: each renderer makes them inert.
 */
export function alertParties(
  alert: Pick<Alert, 'subject' | 'principal' | 'identity_provider' | 'audience' | 'source_ip'>,
): AlertParties {
  if (alert.subject !== null || alert.principal !== null)
    return { subject: alert.subject, principal: alert.principal };
  const carried = [
    alert.audience === null ? null : `token audience ${alert.audience}`,
    alert.source_ip === null ? null : `caller ${alert.source_ip}`,
  ].filter((part): part is string => part !== null);
  return {
    subject: carried.length === 0 ? null : `(not logged; ${carried.join(', ')})`,
    principal: alert.identity_provider === null ? null : `(not logged; provider ${alert.identity_provider})`,
  };
}
