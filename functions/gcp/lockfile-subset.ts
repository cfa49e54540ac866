/** The parts of an npm lockfile (v2 or v3) this reads and writes. */
export interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

export interface Lockfile {
  readonly name?: string;
  readonly version?: string;
  readonly lockfileVersion: number;
  readonly requires?: boolean;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

export interface SubsetRoot {
  readonly name: string;
  readonly version: string;
  /** Each must be a package the full lockfile holds at the top level. */
  readonly dependencies: Readonly<Record<string, string>>;
}

export class LockfileError extends Error {
  override readonly name = 'LockfileError';
}

/** Where Node would find `name` from the package at `from` (`''` is the root): nested first, then up. */
function locate(packages: Lockfile['packages'], from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return null;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

function withoutDevFlags(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
  return rest;
}

/**
 * The lockfile of a package that depends on a few of the full tree's packages: exactly the entries
 * they reach, at the paths (and so versions) the full lockfile gives them. `npm ci` then installs
 * in the deployed function what the tests ran against here.
 */
export function lockfileSubset(full: Lockfile, root: SubsetRoot): Lockfile {
  if (full.lockfileVersion < 2) {
    throw new LockfileError(
      `lockfile version ${full.lockfileVersion} has no "packages" map: use npm 7 or later`,
    );
  }
  const packages: Record<string, LockEntry> = {
    '': { name: root.name, version: root.version, dependencies: { ...root.dependencies } },
  };
  const pending: string[] = [];
  for (const name of Object.keys(root.dependencies)) {
    const path = locate(full.packages, '', name);
    if (path === null) {
      throw new LockfileError(`${name} is not in package-lock.json: run npm install first`);
    }
    pending.push(path);
  }
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (packages[path]) continue;
    const entry = full.packages[path]!;
    packages[path] = withoutDevFlags(entry);
    const required = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const name of [...Object.keys(required), ...Object.keys(entry.peerDependencies ?? {})]) {
      const found = locate(full.packages, path, name);
      if (found !== null) pending.push(found);
      else if (name in required && !(name in (entry.optionalDependencies ?? {}))) {
        throw new LockfileError(`${path} needs ${name}, which package-lock.json does not hold`);
      }
    }
  }
  const sorted = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return {
    name: root.name,
    version: root.version,
    lockfileVersion: full.lockfileVersion,
    requires: true,
    packages: sorted,
  };
}
