/** Where `tokentrail demo` writes, relative to the working directory. */
export const DEMO_DIRECTORY = '.tokentrail/demo';
export const DEMO_STORE = '.tokentrail/demo.duckdb';
export const DEMO_POLICY = '.tokentrail/demo-policy.yaml';
export const DEMO_RANGES = '.tokentrail/demo-ranges';
