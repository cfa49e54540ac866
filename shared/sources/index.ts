export { decodeBytes, decodeStream } from './decode-stream.js';
export { decodeValue } from './decode-value.js';
export type { DecodedItem, Delivery, Position, WholeBytes } from './decoded-item.js';
export { DEFAULT_LIMITS, type DecodeLimits } from './limits.js';
