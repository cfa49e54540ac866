import { DETECTION_QUERIES } from '../../shared/core/queries/detection-queries.js';
import { NAMED_QUERIES } from '../../shared/core/queries/named-queries.js';
import { ACCESS_EVENTS } from '../../shared/core/report/access-events-query.js';
import { RAW_EVENT } from '../../shared/core/report/raw-event.js';
import { bigQueryDdl } from '../../shared/core/schema/bigquery-ddl.js';
import { parametersOf, parseBigQuery } from '../helpers/bigquery-sql.js';

const DATASET = 'my-project.tokentrail';
/** The user-facing queries, the ones detection runs, and the lineage page's own two. */
const ALL_QUERIES = [...NAMED_QUERIES, ...DETECTION_QUERIES, ACCESS_EVENTS, RAW_EVENT];

const sorted = (names: Iterable<string>) => [...names].sort();

describe('the BigQuery SQL tokentrail sends', () => {
  it.each(bigQueryDdl(DATASET).map((statement) => [statement.name, statement.sql]))(
    'DDL statement %s parses as BigQuery',
    (_name, sql) => {
      expect(parseBigQuery(sql).statements).toHaveLength(1);
    },
  );

  it.each(ALL_QUERIES.map((query) => [query.name, query]))(
    'named query %s parses as BigQuery',
    (_name, query) => {
      expect(parseBigQuery(query.bigquery(DATASET)).statements).toHaveLength(1);
    },
  );

  it.each(ALL_QUERIES.map((query) => [query.name, query]))(
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
