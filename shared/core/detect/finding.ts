import type { Alert } from '../alerts/alert.js';

/**
 * One event a rule flags, with the alert fields it fills. Findings group into alerts by (rule,
 * principal, subject); the title is the rule's own words (untrusted values only where unavoidable).
 */
export interface Finding
  extends Pick<
    Alert,
    | 'rule'
    | 'severity'
    | 'title'
    | 'principal'
    | 'subject'
    | 'identity_provider'
    | 'audience'
    | 'resource'
    | 'source_ip'
  > {
  readonly event_id: string;
  readonly event_time: string;
}
