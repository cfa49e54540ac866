import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const all = { ...manifest.dependencies, ...manifest.devDependencies };

function versionsOf(prefix: string): string[] {
  return [
    ...new Set(
      Object.entries(all)
        .filter(([name]) => name.startsWith(prefix))
        .map(([, version]) => version),
    ),
  ];
}

describe('dependencies', () => {
  it('keep the packages the project is built on', () => {
    for (const name of [
      '@google-cloud/functions-framework',
      '@google-cloud/logging',
      '@google-cloud/bigquery',
      '@aws-sdk/client-cloudtrail',
      '@types/aws-lambda',
      'jest',
      'serverless',
    ]) {
      expect(all).toHaveProperty([name]);
    }
  });

  it('are pinned to exact versions', () => {
    const ranges = Object.entries(all).filter(([, version]) => /^[\^~<>*]|\bx\b|\|\|| - /.test(version));
    expect(ranges).toEqual([]);
  });

  it('take each family of clients at one version', () => {
    expect(versionsOf('@aws-sdk/client-')).toHaveLength(1);
    expect(versionsOf('@aws-lambda-powertools/')).toHaveLength(1);
  });
});
