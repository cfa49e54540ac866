const UUID_LENGTH = 36;
const EMPTY = 0;
const TAKEN = 1;

/** The 128 bits of a lowercase canonical UUID (8-4-4-4-12 hex digits) as four words, or false for any other string. */
function uuidWords(id: string, words: Uint32Array): boolean {
  if (id.length !== UUID_LENGTH) return false;
  let word = 0;
  let digits = 0;
  let w = 0;
  for (let i = 0; i < UUID_LENGTH; i++) {
    const code = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 0x2d) return false;
      continue;
    }
    let nibble: number;
    if (code >= 0x30 && code <= 0x39) nibble = code - 0x30;
    else if (code >= 0x61 && code <= 0x66) nibble = code - 0x57;
    else return false;
    word = (word << 4) | nibble;
    if (++digits === 8) {
      words[w++] = word >>> 0;
      word = 0;
      digits = 0;
    }
  }
  return true;
}

function hashWords(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ d ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * The event_ids a run has seen, to keep one row per event. CloudTrail's eventIDs are UUIDs: those
 * are kept as their 16 bytes in an open-addressing table rather than as strings in a Set, which
 * held every id's string alive for the run (garbage collection and memory growing with the input).
 * Any other id (GCP's, or a UUID spelled otherwise) goes to a Set. A canonical lowercase UUID and
 * its 128 bits map one to one, and the two kinds never share a store, so membership is exact.
 */
export class SeenEventIds {
  private words = new Uint32Array(4 * 1024);
  private state = new Uint8Array(1024);
  private size = 0;
  private readonly others = new Set<string>();
  private readonly parsed = new Uint32Array(4);

  /** Records the id; true when it was not seen before. */
  add(id: string): boolean {
    const parsed = this.parsed;
    if (!uuidWords(id, parsed)) {
      const before = this.others.size;
      this.others.add(id);
      return this.others.size !== before;
    }
    if (!this.insert(parsed[0]!, parsed[1]!, parsed[2]!, parsed[3]!)) return false;
    if (++this.size * 2 > this.state.length) this.grow();
    return true;
  }

  private insert(a: number, b: number, c: number, d: number): boolean {
    const { words, state } = this;
    const mask = state.length - 1;
    let slot = hashWords(a, b, c, d) & mask;
    while (state[slot] === TAKEN) {
      const at = slot * 4;
      if (words[at] === a && words[at + 1] === b && words[at + 2] === c && words[at + 3] === d) return false;
      slot = (slot + 1) & mask;
    }
    state[slot] = TAKEN;
    const at = slot * 4;
    words[at] = a;
    words[at + 1] = b;
    words[at + 2] = c;
    words[at + 3] = d;
    return true;
  }

  private grow(): void {
    const { words, state } = this;
    this.words = new Uint32Array(words.length * 2);
    this.state = new Uint8Array(state.length * 2);
    for (let slot = 0; slot < state.length; slot++) {
      if (state[slot] === EMPTY) continue;
      const at = slot * 4;
      this.insert(words[at]!, words[at + 1]!, words[at + 2]!, words[at + 3]!);
    }
  }
}
