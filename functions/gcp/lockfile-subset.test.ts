import { type Lockfile, LockfileError, lockfileSubset } from './lockfile-subset.js';

const full: Lockfile = {
  name: 'tokentrail',
  version: '0.1.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'tokentrail', dependencies: { framework: '1.0.0', other: '1.0.0' } },
    'node_modules/framework': { version: '1.0.0', dependencies: { shared: '^2.0.0', nested: '^1.0.0' } },
    'node_modules/framework/node_modules/nested': { version: '1.5.0', dependencies: { shared: '^2.0.0' } },
    'node_modules/shared': { version: '2.1.0', dev: true },
    'node_modules/other': { version: '1.0.0', dependencies: { unrelated: '^1.0.0' } },
    'node_modules/unrelated': { version: '1.0.0' },
    'node_modules/not-reached': { version: '1.0.0' },
  },
};

const root = { name: 'upload', version: '0.1.0', dependencies: { framework: '1.0.0' } };

describe('lockfileSubset', () => {
  it('keeps exactly the entries the root dependencies reach, at their paths, without dev flags', () => {
    const subset = lockfileSubset(full, root);
    expect(subset).toEqual({
      name: 'upload',
      version: '0.1.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'upload', version: '0.1.0', dependencies: { framework: '1.0.0' } },
        'node_modules/framework': full.packages['node_modules/framework'],
        'node_modules/framework/node_modules/nested':
          full.packages['node_modules/framework/node_modules/nested'],
        'node_modules/shared': { version: '2.1.0' },
      },
    });
  });

  it('names a dependency the lockfile lacks', () => {
    expect(() => lockfileSubset(full, { ...root, dependencies: { absent: '1.0.0' } })).toThrow(
      new LockfileError('absent is not in package-lock.json: run npm install first'),
    );
    const broken = { ...full, packages: { ...full.packages, 'node_modules/shared': undefined! } };
    expect(() => lockfileSubset(broken as Lockfile, root)).toThrow(/node_modules\/framework needs shared/);
  });

  it('refuses a lockfile without a packages map', () => {
    expect(() => lockfileSubset({ ...full, lockfileVersion: 1 }, root)).toThrow(/npm 7 or later/);
  });
});
