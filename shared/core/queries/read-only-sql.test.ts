import { ReadOnlyQueryError, requireReadOnly } from './read-only-sql.js';

describe('requireReadOnly', () => {
  it.each(['SELECT', 'EXPLAIN'])('lets %s run', (type) => {
    expect(() => requireReadOnly(type)).not.toThrow();
  });

  it.each([
    ['DELETE', undefined, 'DELETE is a write'],
    ['CREATE_TABLE_AS_SELECT', undefined, 'CREATE TABLE AS SELECT is a write'],
    ['EXPORT_DATA', undefined, 'EXPORT DATA is a write'],
    ['LOAD', 'INSTALL or LOAD', 'INSTALL or LOAD is a write'],
    ['SCRIPT', undefined, 'SCRIPT is not a query'],
    ['SET', undefined, 'SET is not a query'],
    ['SOMETHING_NEW', undefined, 'SOMETHING NEW is a write'],
  ])('refuses %s', (type, words, why) => {
    expect(() => requireReadOnly(type, words)).toThrow(
      new ReadOnlyQueryError(`query sql runs read-only queries; ${why}`),
    );
  });
});
