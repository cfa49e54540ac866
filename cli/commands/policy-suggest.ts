import { writeFile } from 'node:fs/promises';
import { openStore, type StoreOptions } from '../../shared/adapters/store/open-store.js';
import type { StoreLocation } from '../../shared/adapters/store/store-uri.js';
import { type ObservedExchange, suggestPolicy } from '../../shared/core/detect/suggest-policy.js';
import { EXCHANGE_SUBJECTS } from '../../shared/core/queries/named-queries.js';
import type { QueryCell } from '../../shared/core/queries/query-result.js';
import { timestampOf } from '../../shared/core/time/timestamp.js';
import { answer } from '../../shared/pipeline/query.js';
import { type CliIo, EXIT } from '../cli-io.js';

export interface PolicySuggestOptions {
  readonly store: StoreLocation;
  readonly storeOptions: StoreOptions;
  readonly since?: string;
  readonly until?: string;
  /** Where to write the policy; stdout when absent. */
  readonly out?: string;
}

const text = (cell: QueryCell | undefined): string | null => (typeof cell === 'string' ? cell : null);

/** `tokentrail policy suggest`: a starting `expect` policy from the successful exchanges in the store. */
export async function policySuggestCommand(options: PolicySuggestOptions, io: CliIo): Promise<number> {
  const store = await openStore(options.store, { ...options.storeOptions, mustExist: true });
  try {
    const { range, result } = await answer(
      store,
      { now: () => io.now() },
      { query: EXCHANGE_SUBJECTS, since: options.since, until: options.until, defaultSince: '30d' },
    );
    const rows: ObservedExchange[] = result.rows.flatMap((row) => {
      const principal = text(row.principal);
      const subject = text(row.subject);
      const firstSeen = text(row.first_seen);
      const lastSeen = text(row.last_seen);
      if (principal === null || subject === null || firstSeen === null || lastSeen === null) return [];
      return [
        { principal, subject, audience: text(row.audience), count: Number(row.count), firstSeen, lastSeen },
      ];
    });
    if (rows.length === 0) {
      io.stderr.write(
        `tokentrail: no successful token exchanges or impersonations in ${store.description} from ${range.since} to ${range.until}; nothing to suggest (try an earlier --since)\n`,
      );
      return EXIT.failure;
    }
    const policy = suggestPolicy(rows, {
      generatedAt: timestampOf(io.now()),
      store: store.description,
      since: range.since,
      until: range.until,
    });
    if (options.out === undefined) io.stdout.write(policy);
    else {
      await writeFile(options.out, policy);
      io.stderr.write(`wrote ${options.out}: review it before passing it to detect --policy\n`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
