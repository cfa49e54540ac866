import { federatedTrusts, parsePolicyDocument } from './aws-trust-policy.js';

const GITHUB = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
const EKS = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123';
const GH = 'token.actions.githubusercontent.com';

function policy(...statements: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function allow(federated: unknown, condition?: unknown, action: unknown = 'sts:AssumeRoleWithWebIdentity') {
  return { Effect: 'Allow', Principal: { Federated: federated }, Action: action, Condition: condition };
}

/** The trusts alone, without the principal each names. */
function trusts(text: string | null) {
  return federatedTrusts(text)?.map((entry) => entry.trust) ?? null;
}

describe('parsePolicyDocument', () => {
  it('reads JSON and URL-encoded JSON', () => {
    const text = policy(allow(GITHUB));
    expect(parsePolicyDocument(text)).toEqual(JSON.parse(text));
    expect(parsePolicyDocument(encodeURIComponent(text))).toEqual(JSON.parse(text));
  });

  it('is null for text that is not a JSON object, even after decoding', () => {
    expect(parsePolicyDocument(null)).toBeNull();
    expect(parsePolicyDocument('{"Statement":[')).toBeNull();
    expect(parsePolicyDocument('%7B%E0%A4%A')).toBeNull();
    expect(parsePolicyDocument('[1,2]')).toBeNull();
    expect(parsePolicyDocument('"text"')).toBeNull();
  });

  it('does not decode a policy that already parses, so a literal %41 in a value stays', () => {
    const text = policy(allow(GITHUB, { StringLike: { [`${GH}:sub`]: 'repo:acme/%41:*' } }));
    expect(trusts(text)?.[0]?.subjects).toEqual(['repo:acme/%41:*']);
  });
});

describe('federatedTrusts', () => {
  it('is null when the document does not parse and [] when nothing federated is trusted', () => {
    expect(federatedTrusts('not json')).toBeNull();
    expect(federatedTrusts(policy())).toEqual([]);
    expect(federatedTrusts(JSON.stringify({ Version: '2012-10-17' }))).toEqual([]);
  });

  it('reads a single Statement object as well as an array', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: allow(GITHUB) });
    expect(trusts(text)).toEqual([
      { issuer: `https://${GH}`, audiences: null, subjects: null, condition: null },
    ]);
  });

  it.each([
    ['sts:AssumeRoleWithWebIdentity', true],
    ['STS:assumerolewithwebidentity', true],
    ['sts:*', true],
    ['*', true],
    ['sts:AssumeRole*', true],
    ['sts:AssumeRoleWith?ebIdentity', true],
    [['sts:TagSession', 'sts:AssumeRoleWithWebIdentity'], true],
    ['sts:AssumeRole', false],
    ['sts:AssumeRoleWithSAML', false],
    [['sts:TagSession'], false],
  ])('Action %j admits web identity: %s', (action, admits) => {
    expect(trusts(policy(allow(GITHUB, undefined, action)))).toHaveLength(admits ? 1 : 0);
  });

  it('skips Deny statements and principals that are not OIDC providers', () => {
    const text = policy(
      { ...allow(GITHUB), Effect: 'Deny' },
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:*' },
      { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' },
      allow('arn:aws:iam::111122223333:saml-provider/Okta', undefined, '*'),
      allow('login.example.com'),
    );
    expect(federatedTrusts(text)).toEqual([]);
  });

  it('gives one trust per federated principal, each bounded by its own condition keys', () => {
    const condition = {
      StringEquals: {
        [`${GH}:aud`]: 'sts.amazonaws.com',
        'oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub': 'system:serviceaccount:ci:runner',
      },
    };
    expect(federatedTrusts(policy(allow([GITHUB, EKS], condition)))).toEqual([
      {
        provider: GITHUB,
        trust: {
          issuer: `https://${GH}`,
          audiences: ['sts.amazonaws.com'],
          subjects: null,
          condition: JSON.stringify(condition),
        },
      },
      {
        provider: EKS,
        trust: {
          issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC123',
          audiences: null,
          subjects: ['system:serviceaccount:ci:runner'],
          condition: JSON.stringify(condition),
        },
      },
    ]);
  });

  it('reads well-known providers named bare, with their host as the key prefix', () => {
    const condition = {
      StringEquals: { 'accounts.google.com:aud': '1234.apps.googleusercontent.com' },
      StringLike: { 'accounts.google.com:sub': '1100*' },
    };
    expect(trusts(policy(allow('accounts.google.com', condition)))).toEqual([
      {
        issuer: 'https://accounts.google.com',
        audiences: ['1234.apps.googleusercontent.com'],
        subjects: ['1100*'],
        condition: JSON.stringify(condition),
      },
    ]);
  });

  it('reads the per-enterprise GitHub issuer, whose keys carry its path', () => {
    const arn = `${GITHUB}/acme`;
    const condition = { StringLike: { [`${GH}/acme:sub`]: 'repo:acme/*' } };
    expect(trusts(policy(allow(arn, condition)))?.[0]).toMatchObject({
      issuer: `https://${GH}/acme`,
      subjects: ['repo:acme/*'],
    });
  });

  it('matches condition keys and operators case-insensitively', () => {
    const condition = { stringlike: { 'Token.Actions.GithubUserContent.com:SUB': 'repo:acme/api:*' } };
    expect(trusts(policy(allow(GITHUB, condition)))?.[0]?.subjects).toEqual(['repo:acme/api:*']);
  });

  it('counts ForAnyValue, ForAllValues and IfExists String operators, not negated or other ones', () => {
    const bounded = [
      'ForAnyValue:StringLike',
      'ForAllValues:StringEquals',
      'StringLikeIfExists',
      'StringEqualsIfExists',
    ];
    for (const operator of bounded) {
      const condition = { [operator]: { [`${GH}:sub`]: ['repo:acme/api:*'] } };
      expect(trusts(policy(allow(GITHUB, condition)))?.[0]?.subjects).toHaveLength(1);
    }
    for (const operator of ['StringNotEquals', 'StringNotLike', 'StringEqualsIgnoreCase', 'Null', 'Bool']) {
      const condition = { [operator]: { [`${GH}:sub`]: 'repo:other/*' } };
      expect(trusts(policy(allow(GITHUB, condition)))?.[0]?.subjects).toBeNull();
    }
  });

  it('keeps StringLike wildcards and makes an exact value’s own * and ? literal', () => {
    const like = { StringLike: { [`${GH}:sub`]: ['repo:acme/*', 'repo:acme/ap?:*'] } };
    const exact = { StringEquals: { [`${GH}:sub`]: 'repo:acme/a*b?' } };
    expect(trusts(policy(allow(GITHUB, like)))?.[0]?.subjects).toEqual(['repo:acme/*', 'repo:acme/ap?:*']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's escape for a literal * or ?, not a template
    expect(trusts(policy(allow(GITHUB, exact)))?.[0]?.subjects).toEqual(['repo:acme/a${*}b${?}']);
  });

  it('keeps the exact values when both an exact and a Like operator bound the same key', () => {
    const condition = {
      StringLike: { [`${GH}:sub`]: 'repo:acme/*' },
      StringEquals: { [`${GH}:sub`]: 'repo:acme/api:ref:refs/heads/main' },
    };
    expect(trusts(policy(allow(GITHUB, condition)))?.[0]?.subjects).toEqual([
      'repo:acme/api:ref:refs/heads/main',
    ]);
  });

  it('keeps only string condition values: a key bounded by none admits none', () => {
    const condition = { StringLike: { [`${GH}:sub`]: [7, null, ''] } };
    expect(trusts(policy(allow(GITHUB, condition)))?.[0]?.subjects).toEqual([]);
  });
});
