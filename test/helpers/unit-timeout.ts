/**
 * The unit project's per-case timeout. Unit cases are pure, but the property-based ones run hundreds
 * of generated inputs (decoding gzip in any chunking, say): about a second alone, and several times
 * that on a loaded 2-core machine, past jest's 5 s default.
 */
jest.setTimeout(20_000);
