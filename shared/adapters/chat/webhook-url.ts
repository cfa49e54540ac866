/**
 * Webhook URLs are secrets: Slack's path, Google Chat's `key` and `token`, the Teams Workflows `sig`
 * each let anyone post to the channel. Nothing here ever puts one into an error or a log line.
 */
export const CHAT_KINDS = ['slack', 'googlechat', 'teams'] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

export interface Webhook {
  readonly kind: ChatKind;
  readonly url: string;
}

const KIND_NAMES: Readonly<Record<string, ChatKind>> = {
  slack: 'slack',
  googlechat: 'googlechat',
  'google-chat': 'googlechat',
  teams: 'teams',
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Scheme and host only: what a message may say about where it posted. */
export function redactUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * `slack=https://hooks.slack.com/services/…`, `googlechat=…` (or `google-chat=`), `teams=…`. Errors
 * name the kind and at most the URL's scheme and host, never the rest of the flag.
 */
export function parseWebhookFlag(text: string): Webhook {
  const separator = text.indexOf('=');
  const name = separator > 0 ? text.slice(0, separator).trim().toLowerCase() : '';
  const kind = KIND_NAMES[name];
  if (kind === undefined) {
    // The part before `=` is echoed only when it cannot be a piece of the URL.
    const got = /^[a-z][a-z-]{0,19}$/.test(name) ? ` (got "${name}")` : '';
    throw new Error(`a chat webhook is KIND=URL with KIND one of ${CHAT_KINDS.join(', ')}${got}`);
  }
  const url = text.slice(separator + 1).trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`the ${kind} webhook URL is not a valid URL`);
  }
  const local = parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname);
  if (parsed.protocol !== 'https:' && !local) {
    throw new Error(`the ${kind} webhook URL must use https, not ${redactUrl(url)}`);
  }
  return { kind, url };
}

/**
 * Google Chat threads a message by `thread.threadKey` only with this query parameter; the URL's own
 * parameters (`key`, `token`) are kept byte for byte.
 * https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages/create
 */
export function withReplyInThread(url: string): string {
  const parsed = new URL(url);
  if (parsed.searchParams.has('messageReplyOption')) return url;
  const option = 'messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD';
  parsed.search = parsed.search ? `${parsed.search}&${option}` : `?${option}`;
  return parsed.toString();
}

/**
 * Text (a service's error body, an exception message) with every secret-looking part of the URL
 * replaced: the whole URL, its path, and each path segment and query value of six or more characters.
 */
export function withoutSecrets(text: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return text.replaceAll(url, '…');
  }
  const values = [...parsed.searchParams.values()];
  const pieces = [
    url,
    parsed.toString(),
    `${parsed.pathname}${parsed.search}`,
    parsed.search,
    parsed.pathname,
    ...parsed.pathname.split('/'),
    ...values,
    ...values.map((value) => encodeURIComponent(value)),
  ].filter((piece) => piece.length >= 6);
  return [...new Set(pieces)]
    .sort((a, b) => b.length - a.length)
    .reduce((rest, piece) => rest.replaceAll(piece, '…'), text);
}
