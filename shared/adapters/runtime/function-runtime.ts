import { EMPTY_POLICY, type Policy } from '../../core/detect/policy.js';
import type { DeliveryContext } from '../../pipeline/process-delivery.js';
import type { ScheduledDetectContext } from '../../pipeline/scheduled-detect.js';
import type { DecodeLimits } from '../../sources/limits.js';
import { channelsFromSpecs } from '../chat/channels-from-env.js';
import { readCompiledPolicy } from '../policy/compiled-policy.js';
import type { ResolveSecretDeps } from '../secrets/resolve-secret.js';
import { openStore, type Store } from '../store/open-store.js';
import { stableId } from '../store/stable-id.js';
import { type FunctionConfig, parseFunctionConfig } from './function-config.js';

/** The adapters a deployed function uses, wired once per cold start and reused while warm. */
export interface FunctionRuntime {
  /** The environment it was started from (a Lambda's own credentials are there). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config: FunctionConfig;
  readonly store: Store;
  readonly limits: DecodeLimits;
  readonly delivery: DeliveryContext;
  readonly scheduled: ScheduledDetectContext;
  close(): Promise<void>;
}

export interface RuntimeDeps {
  readonly now?: () => Date;
  /** Secret service clients (tests point them at local servers). */
  readonly secrets?: Omit<ResolveSecretDeps, 'env'>;
}

/**
 * A compiled policy (`.json`, what the builds ship) is read as JSON. A YAML policy is checked here
 * instead, loading the YAML parser on use: it is most of a handler's bundle.
 */
async function readPolicy(path: string): Promise<Policy> {
  if (path.endsWith('.json')) return readCompiledPolicy(path);
  const { loadPolicy } = await import('../policy/load-policy.js');
  return loadPolicy(path);
}

/** `config`, when the caller has read it already, is what `env` gives. */
export async function startFunctionRuntime(
  env: Readonly<Record<string, string | undefined>>,
  deps: RuntimeDeps = {},
  config: FunctionConfig = parseFunctionConfig(env),
): Promise<FunctionRuntime> {
  const policy = config.policyPath ? await readPolicy(config.policyPath) : EMPTY_POLICY;
  const channels = await channelsFromSpecs(config.webhookSpecs, env, deps.secrets ?? {});
  const store = await openStore(
    config.store,
    config.bigQueryEndpoint ? { bigQueryEndpoint: config.bigQueryEndpoint } : {},
  );
  const clock = { now: deps.now ?? (() => new Date()) };
  const ranges = async () => (await import('../ranges/deployed-ranges.js')).deployedIpRanges();
  const shared = { store, channels, policy, clock, idOf: stableId, ranges };
  return {
    env,
    config,
    store,
    limits: config.limits,
    delivery: shared,
    scheduled: { ...shared, lookbackMs: config.lookbackMs },
    close: () => store.close(),
  };
}

/**
 * One runtime per warm instance: started on first use, shared by later invocations, and started
 * again after a failed start (a secret that was briefly unreadable must not poison the instance).
 */
export function lazyRuntime(start: () => Promise<FunctionRuntime>): {
  get(): Promise<FunctionRuntime>;
  reset(): Promise<void>;
} {
  let pending: Promise<FunctionRuntime> | null = null;
  return {
    get() {
      pending ??= start().catch((error: unknown) => {
        pending = null;
        throw error;
      });
      return pending;
    },
    async reset() {
      const current = pending;
      pending = null;
      if (current) await (await current.catch(() => null))?.close();
    },
  };
}
