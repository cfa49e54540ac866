import type { DetectionRule } from './detection-rule.js';
import { audienceMismatch } from './rules/audience-mismatch/audience-mismatch.js';
import { credentialUsedElsewhere } from './rules/credential-used-elsewhere/credential-used-elsewhere.js';
import { exchangeFromUnexpectedNetwork } from './rules/exchange-from-unexpected-network/exchange-from-unexpected-network.js';
import { failedExchangeBurst } from './rules/failed-exchange-burst/failed-exchange-burst.js';
import { firstSeenSubject } from './rules/first-seen-subject/first-seen-subject.js';
import { sharedPrincipalAcrossRepos } from './rules/shared-principal-across-repos/shared-principal-across-repos.js';
import { subjectNewBucket } from './rules/subject-new-bucket/subject-new-bucket.js';
import { trustDrift } from './rules/trust-drift/trust-drift.js';
import { trustWidened } from './rules/trust-widened/trust-widened.js';
import { unexpectedSubject } from './rules/unexpected-subject/unexpected-subject.js';
import { useLongAfterMint } from './rules/use-long-after-mint/use-long-after-mint.js';
import { weakTrust } from './rules/weak-trust/weak-trust.js';
import { wholePoolGrant } from './rules/whole-pool-grant/whole-pool-grant.js';

export const RULES: readonly DetectionRule[] = [
  unexpectedSubject,
  audienceMismatch,
  firstSeenSubject,
  failedExchangeBurst,
  subjectNewBucket,
  sharedPrincipalAcrossRepos,
  wholePoolGrant,
  weakTrust,
  trustWidened,
  trustDrift,
  credentialUsedElsewhere,
  exchangeFromUnexpectedNetwork,
  useLongAfterMint,
];

/** The rules an ingest function runs on each delivery; the rest run on a schedule. */
export const EVENT_RULES: readonly DetectionRule[] = RULES.filter((rule) => rule.scope === 'event');
