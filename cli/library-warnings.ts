/**
 * Process warnings the cloud SDKs emit that say nothing about the run: google-auth-library's
 * MetadataLookupWarning (its probe for a GCE metadata server failed, as it does off Google Cloud)
 * and the AWS SDK v3's notice that its later versions need a newer Node (a plain Warning whose
 * message starts with its own name). Any other warning is printed as Node prints it.
 */
const QUIET_TYPES = new Set(['MetadataLookupWarning', 'NodeDeprecationWarning', 'NodeVersionSupportWarning']);
const QUIET_MESSAGE = /^(?:NodeDeprecationWarning|NodeVersionSupportWarning):/;

type WarningOptions = { readonly type?: string };

/** Whether `process.emitWarning(warning, typeOrOptions)` is one of the SDK notices above. */
export function isLibraryNotice(warning: string | Error, typeOrOptions?: unknown): boolean {
  const type =
    warning instanceof Error
      ? warning.name
      : typeof typeOrOptions === 'string'
        ? typeOrOptions
        : ((typeOrOptions as WarningOptions | undefined)?.type ?? 'Warning');
  const message = warning instanceof Error ? warning.message : warning;
  return QUIET_TYPES.has(type) || (type === 'Warning' && QUIET_MESSAGE.test(message));
}

/**
 * Keeps the SDK notices out of the command's output; TOKENTRAIL_DEBUG (any value) shows them.
 * For the installed command only (bin/tokentrail.js): it replaces `emitWarning` on the process.
 */
export function quietLibraryWarnings(
  target: Pick<NodeJS.Process, 'emitWarning'>,
  env: Readonly<Record<string, string | undefined>>,
): void {
  if (env.TOKENTRAIL_DEBUG?.trim()) return;
  const emit = target.emitWarning;
  target.emitWarning = function quieted(this: unknown, warning: string | Error, ...rest: unknown[]) {
    if (isLibraryNotice(warning, rest[0])) return;
    Reflect.apply(emit, this, [warning, ...rest]);
  } as typeof target.emitWarning;
}
