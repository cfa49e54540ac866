import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Every relative link in the README and docs/ leads somewhere: the file or folder exists and, when
 * the link names a heading (`file.md#heading`), the file has a heading with that anchor as GitHub
 * spells it. Links inside code are not links, and web addresses are not checked here.
 */
const root = resolve(__dirname, '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const withoutCode = (text: string) => text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

function anchors(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1]!)));
}

function links(path: string): string[] {
  return [...withoutCode(readFileSync(path, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

const files = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];

describe('relative links in the README and docs/', () => {
  it('finds the links it checks', () => {
    expect(links(join(root, 'README.md'))).toEqual(
      expect.arrayContaining(['docs/images/lineage.png', 'functions/gcp/README.md', 'docs/reliability.md']),
    );
  });

  it.each(files.map((path) => [relative(root, path), path]))('%s: every link resolves', (_name, path) => {
    const broken = links(path).filter((target) => {
      const [file, anchor] = target.split('#') as [string, string | undefined];
      const resolved = file === '' ? path : resolve(dirname(path), decodeURIComponent(file));
      if (!existsSync(resolved)) return true;
      return anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor);
    });
    expect(broken).toEqual([]);
  });

  it('spells anchors as GitHub does', () => {
    expect(anchorOf('Store and query: `ingest`, `query`, `quarantine`')).toBe(
      'store-and-query-ingest-query-quarantine',
    );
    expect(anchorOf('What a deployment costs')).toBe('what-a-deployment-costs');
  });
});
