import type { Row } from '../schema/row.js';
import type { Mint } from './detection-rule.js';

/** A GCP access token lives an hour unless a longer lifetime was allowed (not logged). */
const GCP_TOKEN_MS = 3_600_000;

/** One use of a minted credential and the mint it came from. */
export interface CredentialUse {
  readonly use: Row;
  readonly mint: Mint;
}

function mintOfRow(row: Row): Mint {
  return {
    event_id: row.event_id,
    event_time: row.event_time,
    cloud: row.cloud,
    principal: row.principal,
    subject: row.subject,
    credential_id: row.credential_id,
    credential_expiration: row.credential_expiration ?? null,
    source_ip: row.source_ip,
  };
}

function isMintRow(row: Row): boolean {
  return (
    row.outcome === 'success' &&
    ((row.category === 'token_exchange' && row.credential_id !== null) ||
      (row.category === 'impersonation' && row.action === 'GenerateAccessToken'))
  );
}

/**
 * The uses in a window of credentials minted before or in it, each with its mint: an AWS call
 * carrying an access key an exchange minted (joined on the key), and GCP data access by a service
 * account for the federated subject a GenerateAccessToken minted its token for, within the token's
 * hour (the latest such mint). Mints come from the baseline and the window itself, so a mint and
 * its use in different delivery files, in either order, still meet.
 */
export function credentialUses(rows: readonly Row[], baselineMints: readonly Mint[]): CredentialUse[] {
  const byKey = new Map<string, Mint>();
  const gcp = new Map<string, Mint[]>();
  const remember = (mint: Mint) => {
    if (mint.cloud === 'aws' && mint.credential_id !== null) byKey.set(mint.credential_id, mint);
    else if (mint.cloud === 'gcp' && mint.principal !== null && mint.subject !== null) {
      const key = `${mint.principal}\u0000${mint.subject}`;
      const list = gcp.get(key) ?? [];
      if (!list.some((known) => known.event_id === mint.event_id)) list.push(mint);
      gcp.set(key, list);
    }
  };
  for (const mint of baselineMints) remember(mint);
  for (const row of rows) if (isMintRow(row)) remember(mintOfRow(row));
  for (const list of gcp.values()) list.sort((a, b) => Date.parse(a.event_time) - Date.parse(b.event_time));

  const uses: CredentialUse[] = [];
  for (const row of rows) {
    if (isMintRow(row)) continue;
    if (row.cloud === 'aws' && row.credential_id !== null) {
      const mint = byKey.get(row.credential_id);
      if (mint !== undefined && mint.event_id !== row.event_id) uses.push({ use: row, mint });
    } else if (
      row.cloud === 'gcp' &&
      row.category === 'data_access' &&
      row.principal !== null &&
      row.subject !== null
    ) {
      const at = Date.parse(row.event_time);
      const mint = (gcp.get(`${row.principal}\u0000${row.subject}`) ?? [])
        .filter((candidate) => {
          const minted = Date.parse(candidate.event_time);
          return minted <= at && at <= minted + GCP_TOKEN_MS;
        })
        .at(-1);
      if (mint !== undefined) uses.push({ use: row, mint });
    }
  }
  return uses;
}
