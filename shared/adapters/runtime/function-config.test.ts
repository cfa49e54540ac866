import { FunctionConfigError, parseFunctionConfig } from './function-config.js';

describe('parseFunctionConfig', () => {
  it('reads a deployed function’s environment', () => {
    const config = parseFunctionConfig({
      TOKENTRAIL_STORE: 'bigquery://acme-sec/tokentrail',
      TOKENTRAIL_POLICY: 'policy.yaml',
      TOKENTRAIL_WEBHOOKS: 'slack=ssm:/tokentrail/slack teams=secretsmanager:tokentrail/teams',
      TOKENTRAIL_LOOKBACK: '90m',
    });
    expect(config).toMatchObject({
      store: { kind: 'bigquery', projectId: 'acme-sec', dataset: 'tokentrail' },
      policyPath: 'policy.yaml',
      webhookSpecs: ['slack=ssm:/tokentrail/slack', 'teams=secretsmanager:tokentrail/teams'],
      lookbackMs: 90 * 60_000,
      bigQueryEndpoint: null,
    });
  });

  it('defaults what can be defaulted', () => {
    const config = parseFunctionConfig({ TOKENTRAIL_STORE: 'bigquery://acme-sec/tokentrail' });
    expect(config).toMatchObject({ policyPath: null, webhookSpecs: [], lookbackMs: 2 * 3_600_000 });
    expect(config.limits.maxDecompressedBytes).toBeGreaterThan(0);
  });

  it('names every mistake at once, and refuses webhook URLs in plain configuration', () => {
    let error: unknown;
    try {
      parseFunctionConfig({
        TOKENTRAIL_LOOKBACK: 'soon',
        TOKENTRAIL_MAX_DECOMPRESSED_BYTES: '-1',
        TOKENTRAIL_WEBHOOKS: 'slack=https://hooks.slack.com/services/T/B/secret',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FunctionConfigError);
    const message = (error as Error).message;
    expect(message).toContain('TOKENTRAIL_STORE is not set');
    expect(message).toContain("TOKENTRAIL_LOOKBACK 'soon'");
    expect(message).toContain("TOKENTRAIL_MAX_DECOMPRESSED_BYTES '-1'");
    expect(message).toContain('secret reference');
    expect(message).not.toContain('secret\n');
    expect(message).not.toContain('hooks.slack.com');
  });
});
