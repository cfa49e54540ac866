import type { Column } from './columns.js';

type ValueOf<C extends Column> = C extends { readonly values: readonly (infer V)[] }
  ? V
  : C['type'] extends 'json'
    ? unknown
    : string;

/** A normalized row: required columns are non-null, the others may be null. */
export type Row = {
  [C in Column as C['name']]: C['required'] extends true ? ValueOf<C> : ValueOf<C> | null;
};

export type Cloud = Row['cloud'];
export type Category = Row['category'];
export type Outcome = Row['outcome'];
