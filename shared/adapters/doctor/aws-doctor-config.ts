import type { EventRule } from '../../core/doctor/aws-event-rule.js';
import type { TrailState } from '../../core/doctor/aws-trail.js';
import { type Fetched, fetched, fetchFailed } from '../../core/doctor/check-result.js';
import { awsFetchFailure } from './fetch-failure.js';

export interface AwsDoctorOptions {
  readonly region: string;
  /** TOKENTRAIL_AWS_ENDPOINT: one endpoint for CloudTrail and EventBridge (a local stand-in). */
  readonly endpoint?: string;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/**
 * Real credentials (and their session token) must never be sent to an endpoint that is not AWS:
 * with an endpoint override and no credentials given, requests are signed with a placeholder.
 */
const LOCAL_ENDPOINT_CREDENTIALS = { accessKeyId: 'tokentrail-local', secretAccessKey: 'tokentrail-local' };

function clientConfig(options: AwsDoctorOptions) {
  const credentials = options.credentials ?? (options.endpoint ? LOCAL_ENDPOINT_CREDENTIALS : undefined);
  return {
    region: options.region,
    maxAttempts: 2,
    // A stuck endpoint must not hang the doctor: each read fails on its own and is reported.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

async function attempt<T>(read: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return fetched(await read());
  } catch (error) {
    return fetchFailed(awsFetchFailure(error));
  }
}

/** DescribeTrails (the named trail, or all, shadow trails included), then each one's status and selectors. */
export async function fetchTrails(
  options: AwsDoctorOptions,
  trailName: string | undefined,
): Promise<Fetched<readonly TrailState[]>> {
  const { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } =
    await import('@aws-sdk/client-cloudtrail');
  const client = new CloudTrailClient(clientConfig(options));
  try {
    const described = await attempt(() =>
      client.send(
        new DescribeTrailsCommand({
          ...(trailName === undefined ? {} : { trailNameList: [trailName] }),
          includeShadowTrails: true,
        }),
      ),
    );
    if (!described.ok) {
      // A named trail that does not exist is "no trail", which the check reports as such.
      return described.failure.kind === 'not_found' ? fetched([]) : described;
    }
    const trails = described.value.trailList ?? [];
    const states = await Promise.all(
      trails.map(async (trail): Promise<TrailState> => {
        const id = trail.TrailARN ?? trail.Name ?? '';
        const [status, selectors] = await Promise.all([
          attempt(() => client.send(new GetTrailStatusCommand({ Name: id }))),
          attempt(() => client.send(new GetEventSelectorsCommand({ TrailName: id }))),
        ]);
        return { trail, status, selectors };
      }),
    );
    return fetched(states);
  } finally {
    client.destroy();
  }
}

const MAX_RULE_PAGES = 10;

/** DescribeRule for a named rule; otherwise ListRules by name prefix on the default bus. */
export async function fetchRules(
  options: AwsDoctorOptions,
  selection: { readonly ruleName?: string; readonly namePrefix: string },
): Promise<Fetched<readonly EventRule[]>> {
  const { EventBridgeClient, DescribeRuleCommand, ListRulesCommand } = await import(
    '@aws-sdk/client-eventbridge'
  );
  const client = new EventBridgeClient(clientConfig(options));
  try {
    const { ruleName } = selection;
    if (ruleName !== undefined) {
      return await attempt(async () => [await client.send(new DescribeRuleCommand({ Name: ruleName }))]);
    }
    return await attempt(async () => {
      const rules: EventRule[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_RULE_PAGES; page++) {
        const output = await client.send(
          new ListRulesCommand({
            NamePrefix: selection.namePrefix,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        rules.push(...(output.Rules ?? []));
        nextToken = output.NextToken;
        if (!nextToken) break;
      }
      return rules;
    });
  } finally {
    client.destroy();
  }
}
