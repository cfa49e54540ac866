import type { ALERT_COLUMNS } from './alert-columns.js';
import type { Column, ColumnSpec } from './columns.js';
import type { QUARANTINE_COLUMNS } from './quarantine-columns.js';

type ValueOf<C extends ColumnSpec> = C extends { readonly values: readonly (infer V)[] }
  ? V
  : C['type'] extends 'json'
    ? unknown
    : C['type'] extends 'integer'
      ? number
      : C['type'] extends 'boolean'
        ? boolean
        : string;

/** The record type of a column list: required columns are non-null, the others may be null. */
export type RecordOf<C extends ColumnSpec> = {
  [K in C as K['name']]: K['required'] extends true ? ValueOf<K> : ValueOf<K> | null;
};

/** A normalized row. */
export type Row = RecordOf<Column>;

/** A quarantined record, as stored. */
export type QuarantineRow = RecordOf<(typeof QUARANTINE_COLUMNS)[number]>;

/** An alert as the alerts table holds it. */
export type AlertRow = RecordOf<(typeof ALERT_COLUMNS)[number]>;

export type Cloud = Row['cloud'];
export type Category = Row['category'];
export type Outcome = Row['outcome'];
