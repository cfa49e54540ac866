/**
 * `tokentrail policy suggest`: a starting `expect:` policy written from the exchanges a store saw,
 * for a person to review. Pure: rows in, YAML text out.
 *
 * Collapsing rule, per principal: a subject's prefix is the subject up to and including its last
 * `:` or `/`. While at most `maxExactSubjects` (default 5) distinct subjects share a prefix they
 * are listed exactly; beyond that they become one glob, `prefix*`. A prefix is only collapsed
 * when the glob stays inside what was seen:
 *  - it has at least two non-empty segments (`system:serviceaccount:`, never `repo:` or `x:`), so
 *    no glob is `*` or `repo:*`;
 *  - a GitHub subject's prefix starts with `repo:OWNER/`, so no glob admits another owner;
 *  - the prefix holds no `*` or `?` itself (those subjects are kept exactly, with a warning).
 * One level only: no globs of globs, so every glob is explained by the subjects under it.
 */

/** One (principal, subject, audience) seen in successful token exchanges and impersonations. */
export interface ObservedExchange {
  readonly principal: string;
  readonly subject: string;
  /** Null when the event carries none (impersonations, some exchanges). */
  readonly audience: string | null;
  readonly count: number;
  /** Canonical UTC timestamps. */
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface SuggestPolicyOptions {
  /** When the policy is written, a canonical UTC timestamp or a date. */
  readonly generatedAt: string;
  /** The store read, e.g. `duckdb:.tokentrail/demo.duckdb`. */
  readonly store: string;
  /** The event-time window read, canonical UTC timestamps. */
  readonly since: string;
  readonly until: string;
  /** Distinct subjects a prefix may have before they become one glob. */
  readonly maxExactSubjects?: number;
}

export const DEFAULT_MAX_EXACT_SUBJECTS = 5;

interface Tally {
  count: number;
  firstSeen: string;
  lastSeen: string;
}

interface SubjectLine extends Tally {
  readonly pattern: string;
  /** Distinct subjects the pattern stands for; 1 for an exact subject. */
  readonly covers: number;
  readonly wildcard: boolean;
}

const isBlank = (text: string) => text.trim() === '';

function add(tally: Tally | undefined, row: ObservedExchange): Tally {
  if (tally === undefined) return { count: row.count, firstSeen: row.firstSeen, lastSeen: row.lastSeen };
  return {
    count: tally.count + row.count,
    firstSeen: [row.firstSeen, tally.firstSeen].sort()[0]!,
    lastSeen: [row.lastSeen, tally.lastSeen].sort()[1]!,
  };
}

function byKey<V>(entries: Iterable<[string, V]>): [string, V][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const GITHUB_PREFIX = /^repo:[^/:*?]+\//;

/** The subject up to and including its last `:` or `/`; null when it has none. */
export function subjectPrefix(subject: string): string | null {
  const cut = Math.max(subject.lastIndexOf(':'), subject.lastIndexOf('/'));
  return cut < 0 ? null : subject.slice(0, cut + 1);
}

/** Whether `prefix*` stays within what was seen (see the module comment). */
export function collapsible(prefix: string): boolean {
  if (prefix.includes('*') || prefix.includes('?')) return false;
  if (prefix.startsWith('repo:') && !GITHUB_PREFIX.test(prefix)) return false;
  const segments = prefix.split(/[:/]/).filter((segment) => segment !== '');
  return segments.length >= 2;
}

function subjectLines(subjects: Map<string, Tally>, maxExact: number): SubjectLine[] {
  const groups = new Map<string, string[]>();
  const lines: SubjectLine[] = [];
  const exact = (subject: string) => {
    const tally = subjects.get(subject)!;
    lines.push({ pattern: subject, covers: 1, wildcard: /[*?]/.test(subject), ...tally });
  };
  for (const subject of subjects.keys()) {
    const prefix = subjectPrefix(subject);
    if (prefix === null || !collapsible(prefix)) exact(subject);
    else groups.set(prefix, [...(groups.get(prefix) ?? []), subject]);
  }
  for (const [prefix, members] of groups) {
    if (members.length <= maxExact) {
      members.forEach(exact);
      continue;
    }
    let tally: Tally | undefined;
    for (const member of members) {
      const seen = subjects.get(member)!;
      tally = add(tally, { ...seen, principal: '', subject: member, audience: null });
    }
    lines.push({ pattern: `${prefix}*`, covers: members.length, wildcard: false, ...tally! });
  }
  return lines.sort((a, b) => (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0));
}

/**
 * A YAML double-quoted scalar: printable ASCII as is, everything else escaped, so no subject can
 * end the string, the line or the document.
 */
export function yamlQuote(text: string): string {
  let quoted = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const char = text[i]!;
    if (char === '"' || char === '\\') quoted += `\\${char}`;
    else if (unit >= 0x20 && unit <= 0x7e) quoted += char;
    else quoted += `\\u${unit.toString(16).padStart(4, '0')}`;
  }
  return `${quoted}"`;
}

/** Comment text on one line: control and line-break characters shown as escapes. */
function commentSafe(text: string): string {
  return text.replace(
    /[\p{Cc}\p{Zl}\p{Zp}\ufeff]/gu,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const day = (timestamp: string) => timestamp.slice(0, 10);
const minute = (timestamp: string) => `${timestamp.slice(0, 10)} ${timestamp.slice(11, 16)}`;
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function seen(tally: Tally): string {
  const first = day(tally.firstSeen);
  const last = day(tally.lastSeen);
  const when = first === last ? first : `${first} to ${last}`;
  return `${plural(tally.count, 'exchange')}, ${when}`;
}

function subjectComment(line: SubjectLine): string {
  const covers = line.covers > 1 ? `${line.covers} subjects, ` : '';
  const warning = line.wildcard ? '; holds * or ?, which match more than this subject' : '';
  return `${covers}${seen(line)}${warning}`;
}

/** The policy text: one `expect` entry per principal, sorted, every line commented with what was seen. */
export function suggestPolicy(rows: readonly ObservedExchange[], options: SuggestPolicyOptions): string {
  const maxExact = options.maxExactSubjects ?? DEFAULT_MAX_EXACT_SUBJECTS;
  const principals = new Map<
    string,
    { total?: Tally; subjects: Map<string, Tally>; audiences: Map<string, Tally> }
  >();
  let leftOut = 0;
  let total = 0;
  for (const row of rows) {
    if (isBlank(row.principal) || isBlank(row.subject)) {
      leftOut += row.count;
      continue;
    }
    total += row.count;
    let entry = principals.get(row.principal);
    if (entry === undefined) {
      entry = { subjects: new Map(), audiences: new Map() };
      principals.set(row.principal, entry);
    }
    entry.total = add(entry.total, row);
    entry.subjects.set(row.subject, add(entry.subjects.get(row.subject), row));
    if (row.audience !== null && !isBlank(row.audience)) {
      entry.audiences.set(row.audience, add(entry.audiences.get(row.audience), row));
    }
  }

  const out: string[] = [
    `# Generated by tokentrail policy suggest on ${day(options.generatedAt)} from ${commentSafe(options.store)}`,
    `# over ${minute(options.since)} to ${minute(options.until)} UTC: ${plural(total, 'successful token exchange or impersonation', 'successful token exchanges and impersonations')}, ${plural(principals.size, 'principal')}.`,
    '# Review every entry before use: these are the subjects seen, not the ones you intend.',
    `# Up to ${maxExact} subjects sharing a prefix (up to their last : or /) are listed as seen; more`,
    '# become one prefix* glob within one owner. Narrow each glob, and delete what should not be there.',
  ];
  if (leftOut > 0) {
    out.push(`# Left out: ${plural(leftOut, 'exchange')} with a blank principal or subject.`);
  }
  if (principals.size === 0) {
    out.push('expect: []');
    return `${out.join('\n')}\n`;
  }
  out.push('expect:');
  for (const [principal, entry] of byKey(principals)) {
    out.push(`  # ${plural(entry.subjects.size, 'subject')}, ${seen(entry.total!)}`);
    if (/[*?]/.test(principal)) out.push('  # this principal holds * or ?, which match other principals too');
    out.push(`  - principal: ${yamlQuote(principal)}`);
    out.push('    subjects:');
    for (const line of subjectLines(entry.subjects, maxExact)) {
      out.push(`      - ${yamlQuote(line.pattern)} # ${subjectComment(line)}`);
    }
    if (entry.audiences.size > 0) {
      out.push('    audiences:');
      for (const [audience, tally] of byKey(entry.audiences)) {
        out.push(`      - ${yamlQuote(audience)} # ${seen(tally)}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
