/**
 * The integration project's default per-case timeout (jest's is 5 s, and only a global setting).
 * Integration cases start servers, open DuckDB files and stream megabytes: on a loaded 2-core
 * machine one can take several times its unloaded duration. Cases that spawn processes set their
 * own, larger timeouts.
 */
jest.setTimeout(30_000);
