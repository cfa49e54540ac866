import { GoogleAuth, PassThroughClient } from 'google-auth-library';
import { HttpError, request } from '../http/http-client.js';
import { gcpApiFailure } from './gcp-api-error.js';
import { SinkSetupError } from './log-sink.js';

const PUBSUB_ENDPOINT = 'https://pubsub.googleapis.com';
const PUBLISHER = 'roles/pubsub.publisher';
const TIMEOUT_MS = 30_000;

interface Binding {
  role: string;
  members?: string[];
  condition?: unknown;
}

interface Policy {
  version?: number;
  etag?: string;
  bindings?: Binding[];
}

export interface TopicGrantOptions {
  /** Another Pub/Sub API root (tests); requests to it carry no credentials. */
  readonly endpoint?: string;
}

interface HeaderSource {
  getRequestHeaders(url?: string): Promise<Headers | Record<string, string>>;
}

/**
 * Lets `member` publish to `topic` (`projects/P/topics/T`): reads the topic's IAM policy and, unless
 * an unconditional roles/pubsub.publisher binding already holds the member, adds it and writes the
 * policy back with the etag it read, so a concurrent change is refused rather than overwritten.
 */
export async function grantTopicPublisher(
  topic: string,
  member: string,
  options: TopicGrantOptions = {},
): Promise<'granted' | 'unchanged'> {
  const root = (options.endpoint ?? PUBSUB_ENDPOINT).replace(/\/+$/, '');
  const auth: HeaderSource = options.endpoint
    ? new PassThroughClient()
    : new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });

  const call = async (verb: string, method: 'GET' | 'POST', body?: unknown): Promise<Policy> => {
    const url = `${root}/v1/${topic}:${verb}`;
    const headers = new Headers(await auth.getRequestHeaders(url));
    headers.set('content-type', 'application/json');
    let text: string;
    try {
      // One attempt, as every `sinks apply` call: a setup command reports at once and is run again.
      ({ text } = await request(
        url,
        { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) },
        { service: `Pub/Sub ${verb}`, timeoutMs: TIMEOUT_MS },
      ));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      if (error.code !== 'HTTP_STATUS' || error.status === undefined) {
        throw new SinkSetupError(`could not reach Pub/Sub to ${verb} on ${topic}: ${error.message}`, null);
      }
      const { detail } = gcpApiFailure({ status: error.status, message: error.body });
      const hint =
        error.status === 403
          ? '; granting needs roles/pubsub.admin (or resourcemanager.projects.setIamPolicy) on the topic'
          : error.status === 404
            ? '; create the topic first (infra/gcp, or gcloud pubsub topics create)'
            : '';
      throw new SinkSetupError(
        `Pub/Sub ${verb} on ${topic} failed (${error.status}: ${detail})${hint}`,
        error.status,
      );
    }
    return (text ? JSON.parse(text) : {}) as Policy;
  };

  const policy = await call('getIamPolicy', 'GET');
  const bindings = policy.bindings ?? [];
  const publishers = bindings.find((binding) => binding.role === PUBLISHER && !binding.condition);
  if (publishers?.members?.includes(member)) return 'unchanged';
  if (publishers) publishers.members = [...(publishers.members ?? []), member];
  else bindings.push({ role: PUBLISHER, members: [member] });
  await call('setIamPolicy', 'POST', { policy: { ...policy, bindings } });
  return 'granted';
}
