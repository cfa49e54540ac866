/**
 * A seeded generator (mulberry32) and the few shapes of random value audit logs are made of, so
 * that generated traffic is the same for the same seed on every machine.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max], both included. */
export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

const HEX = '0123456789abcdef';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER_ALNUM}`;
const DIGITS = '0123456789';

function chars(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

export const hex = (random: Random, length: number): string => chars(random, HEX, length);
export const upperAlnum = (random: Random, length: number): string => chars(random, UPPER_ALNUM, length);
export const lowerAlnum = (random: Random, length: number): string => chars(random, LOWER_ALNUM, length);
export const mixedAlnum = (random: Random, length: number): string => chars(random, MIXED_ALNUM, length);

/** Digits without a leading zero, as Pub/Sub message ids and operation ids are written. */
export function decimalId(random: Random, length: number): string {
  return String(between(random, 1, 9)) + chars(random, DIGITS, length - 1);
}

/** A version-4-shaped UUID, as CloudTrail writes eventID and STS writes requestID. */
export function uuid(random: Random): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${pick(random, ['8', '9', 'a', 'b'])}${hex(random, 3)}-${hex(random, 12)}`;
}

/** A temporary (STS-issued) access key id. */
export function temporaryAccessKeyId(random: Random): string {
  return `ASIA${upperAlnum(random, 16)}`;
}
