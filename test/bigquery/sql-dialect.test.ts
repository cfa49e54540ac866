import { type Node, parse } from 'sql-parser-cst';
import { NAMED_QUERIES } from '../../shared/core/queries/named-queries.js';
import { bigQueryDdl } from '../../shared/core/schema/bigquery-ddl.js';

const DATASET = 'my-project.tokentrail';

const parseBigQuery = (sql: string) => parse(sql, { dialect: 'bigquery', paramTypes: ['@name'] });

/** The `@name` parameters a statement uses, found in its syntax tree (so never inside a string literal). */
function parametersOf(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) parametersOf(item, found);
  } else if (typeof node === 'object' && node !== null) {
    if ((node as Node).type === 'parameter') found.add((node as { text: string }).text.slice(1));
    for (const value of Object.values(node)) parametersOf(value, found);
  }
  return found;
}

const sorted = (names: Iterable<string>) => [...names].sort();

describe('the BigQuery SQL tokentrail sends', () => {
  it.each(bigQueryDdl(DATASET).map((statement) => [statement.name, statement.sql]))(
    'DDL statement %s parses as BigQuery',
    (_name, sql) => {
      expect(parseBigQuery(sql).statements).toHaveLength(1);
    },
  );

  it.each(NAMED_QUERIES.map((query) => [query.name, query]))(
    'named query %s parses as BigQuery',
    (_name, query) => {
      expect(parseBigQuery(query.bigquery(DATASET)).statements).toHaveLength(1);
    },
  );

  it.each(NAMED_QUERIES.map((query) => [query.name, query]))(
    'named query %s uses exactly its declared parameters, in both dialects',
    (_name, query) => {
      expect(sorted(parametersOf(parseBigQuery(query.bigquery(DATASET))))).toEqual(sorted(query.params));
      const duckDbParams = new Set([...query.duckdb.matchAll(/\$([A-Za-z_]\w*)/g)].map((match) => match[1]!));
      expect(sorted(duckDbParams)).toEqual(sorted(query.params));
    },
  );

  it('rejects broken SQL, so the checks above are real', () => {
    expect(() => parseBigQuery('CREATE TABLE IF NOT EXISTS `p.d.t` (a STRING,)')).toThrow(/Syntax Error/);
    expect(() => parseBigQuery('SELECT a FROM `p.d.t` WHERE')).toThrow(/Syntax Error/);
    expect(() => parseBigQuery('SELECT a FROM t WHERE b = $name')).toThrow();
    expect(sorted(parametersOf(parseBigQuery("SELECT '@not_a_param' FROM t WHERE a = @real")))).toEqual([
      'real',
    ]);
  });
});
