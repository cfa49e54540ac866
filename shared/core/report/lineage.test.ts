import fc from 'fast-check';
import { globMatcher } from './glob-filter.js';
import { type AccessRow, buildLineage, ownerOf } from './lineage.js';
import { pageDataJson } from './page-data.js';

const row = (overrides: Partial<AccessRow>): AccessRow => ({
  cloud: 'aws',
  bucket: 'acme-prod',
  root_subject: 'repo:acme/web:ref:refs/heads/main',
  subject: 'repo:acme/web:ref:refs/heads/main',
  principal: 'arn:aws:iam::1:role/deploy',
  count: 1,
  failures: 0,
  ...overrides,
});

const rowArbitrary = fc.record({
  cloud: fc.constantFrom('aws', 'gcp'),
  bucket: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null }),
  root_subject: fc.option(
    fc
      .tuple(fc.constantFrom('acme', 'other', 'x'), fc.string({ maxLength: 4 }))
      .map(([o, r]) => `repo:${o}/${r}`),
    { nil: null },
  ),
  subject: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
  principal: fc.option(fc.constantFrom('p1', 'p2'), { nil: null }),
  count: fc.integer({ min: 1, max: 100 }),
  failures: fc.integer({ min: 0, max: 5 }),
});

describe('buildLineage', () => {
  it('draws subject -> principal -> bucket with counts and failures, a chain from its root through its hop', () => {
    const lineage = buildLineage(
      [
        row({ count: 3, failures: 1 }),
        row({ root_subject: 'repo:acme/ml:ref:refs/heads/main', subject: 'aws-session', count: 2 }),
      ],
      [],
    );
    expect(lineage.nodes.map((node) => [node.kind, node.label, node.count])).toEqual([
      ['subject', 'repo:acme/web:ref:refs/heads/main', 3],
      ['principal', 'arn:aws:iam::1:role/deploy', 5],
      ['bucket', 'acme-prod', 5],
      ['subject', 'repo:acme/ml:ref:refs/heads/main', 2],
      ['hop', 'aws-session', 2],
    ]);
    const id = (kind: string, label: string) => JSON.stringify([kind, label]);
    expect(lineage.edges.map((edge) => [edge.from, edge.to, edge.count])).toEqual([
      [id('subject', 'repo:acme/web:ref:refs/heads/main'), id('principal', 'arn:aws:iam::1:role/deploy'), 3],
      [id('principal', 'arn:aws:iam::1:role/deploy'), id('bucket', 'acme-prod'), 5],
      [id('subject', 'repo:acme/ml:ref:refs/heads/main'), id('hop', 'aws-session'), 2],
      [id('hop', 'aws-session'), id('principal', 'arn:aws:iam::1:role/deploy'), 2],
    ]);
    const toBucket = lineage.edges.find((edge) => edge.to === JSON.stringify(['bucket', 'acme-prod']));
    expect(toBucket).toMatchObject({ count: 5, failures: 1, rows: [0, 1], alerted: false });
  });

  it('a node knows the rows through it, so a click lists the events on all its edges', () => {
    const lineage = buildLineage(
      [row({}), row({ bucket: 'acme-logs' }), row({ principal: 'arn:aws:iam::1:role/other' })],
      [],
    );
    const rowsOf = (kind: string, label: string) =>
      lineage.nodes.find((node) => node.id === JSON.stringify([kind, label]))?.rows;
    expect(rowsOf('principal', 'arn:aws:iam::1:role/deploy')).toEqual([0, 1]);
    expect(rowsOf('subject', 'repo:acme/web:ref:refs/heads/main')).toEqual([0, 1, 2]);
    expect(rowsOf('bucket', 'acme-logs')).toEqual([1]);
  });

  it("marks the paths of an alert's subject and principal", () => {
    const lineage = buildLineage(
      [row({}), row({ subject: 'repo:evil/x:pull_request', root_subject: 'repo:evil/x:pull_request' })],
      [
        { subject: 'repo:evil/x:pull_request', principal: 'arn:aws:iam::1:role/deploy' },
        { subject: null, principal: 'arn:aws:iam::1:role/deploy' },
      ],
    );
    const alerted = lineage.edges.filter((edge) => edge.alerted);
    expect(alerted.map((edge) => edge.rows)).toEqual([[0, 1], [1]]);
  });

  it('folds subjects by owner past the threshold, except expanded owners', () => {
    const rows = Array.from({ length: 5 }, (_, index) =>
      row({ root_subject: `repo:acme/r${index}:ref:refs/heads/main` }),
    );
    const folded = buildLineage(rows, [], { aggregateAbove: 3 });
    expect(folded.nodes.filter((node) => node.kind === 'subject').map((node) => node.label)).toEqual([
      'repo:acme/*',
    ]);
    expect(folded.aggregated).toEqual(['acme']);
    const open = buildLineage(rows, [], { aggregateAbove: 3, expanded: new Set(['acme']) });
    expect(open.nodes.filter((node) => node.kind === 'subject')).toHaveLength(5);
  });

  it('every edge joins existing nodes of adjacent layers, and folding preserves totals', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 30 }),
        fc.integer({ min: 0, max: 10 }),
        (rows, above) => {
          const total = rows.reduce((sum, r) => sum + r.count, 0);
          const failures = rows.reduce((sum, r) => sum + r.failures, 0);
          for (const lineage of [buildLineage(rows, []), buildLineage(rows, [], { aggregateAbove: above })]) {
            const kinds = new Map(lineage.nodes.map((node) => [node.id, node.kind]));
            for (const edge of lineage.edges) {
              const pair = [kinds.get(edge.from), kinds.get(edge.to)];
              expect([
                ['subject', 'principal'],
                ['subject', 'hop'],
                ['hop', 'principal'],
                ['principal', 'bucket'],
              ]).toContainEqual(pair);
            }
            // A row crosses a hop exactly when its chain root differs from its own subject.
            const hops = lineage.nodes.filter((node) => node.kind === 'hop');
            expect(hops.flatMap((n) => n.rows).sort((a, b) => a - b)).toEqual(
              rows.flatMap((r, i) =>
                r.root_subject !== null && r.subject !== null && r.root_subject !== r.subject ? [i] : [],
              ),
            );
            const intoPrincipals = lineage.edges.filter((edge) => kinds.get(edge.to) === 'principal');
            expect(intoPrincipals.reduce((s, e) => s + e.count, 0)).toBe(total);
            for (const kind of ['subject', 'principal', 'bucket']) {
              const layer = lineage.nodes.filter((node) => node.kind === kind);
              expect(layer.reduce((s, n) => s + n.count, 0)).toBe(total);
              // Each row passes through exactly one node of each layer.
              expect(layer.flatMap((n) => n.rows).sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
            }
            const outOfSubjects = lineage.edges.filter((edge) => kinds.get(edge.from) === 'subject');
            expect(outOfSubjects.reduce((s, e) => s + e.count, 0)).toBe(total);
            expect(outOfSubjects.reduce((s, e) => s + e.failures, 0)).toBe(failures);
          }
        },
      ),
    );
  });

  it('ownerOf reads GitHub subjects only', () => {
    expect(ownerOf('repo:acme/web:ref:refs/heads/main')).toBe('acme');
    expect(ownerOf('system:serviceaccount:ns:sa')).toBeNull();
  });
});

describe('globMatcher', () => {
  it('is anchored, * and ? only, everything else literal', () => {
    expect(globMatcher('acme-*')('acme-prod')).toBe(true);
    expect(globMatcher('acme-*')('x-acme-prod')).toBe(false);
    expect(globMatcher('a.c')('abc')).toBe(false);
    expect(globMatcher('a?c')('abc')).toBe(true);
    expect(globMatcher('')(null)).toBe(true);
    expect(globMatcher('x')(null)).toBe(false);
  });
});

describe('pageDataJson', () => {
  it('cannot end its script element and parses back exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const data = {
          window: { since: text, until: '' },
          store: '</script><!--',
          rows: [],
          events: [],
          eventsTruncated: false,
          alerts: [],
          live: false,
        };
        const json = pageDataJson(data);
        expect(json).not.toMatch(/[<>&\u2028\u2029\u202e]/);
        expect(JSON.parse(json)).toEqual(data);
      }),
    );
  });
});
