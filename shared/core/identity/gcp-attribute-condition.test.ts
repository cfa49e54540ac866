import fc from 'fast-check';
import type { Trust } from '../detect/trusts.js';
import { admitsSubject, judgeOwnerScoping } from './gcp-attribute-condition.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const GITHUB_MAPPING = {
  'google.subject': 'assertion.sub',
  'attribute.repository': 'assertion.repository',
  'attribute.repository_owner': 'assertion.repository_owner',
};

function verdict(
  condition: string | null,
  issuer = GITHUB,
  mapping: Record<string, string> = GITHUB_MAPPING,
) {
  const trust: Trust = { issuer, audiences: null, subjects: null, condition, mapping };
  return judgeOwnerScoping(trust).kind;
}

describe('judgeOwnerScoping on GitHub providers', () => {
  it.each([
    ["attribute.repository_owner == 'acme'"],
    ["assertion.repository_owner == 'acme'"],
    ["assertion['repository_owner'] == 'acme'"],
    ["assertion.repository.startsWith('acme/') || assertion.repository_owner == 'acme'"],
    ["assertion.sub.startsWith('repo:acme/')"],
    ["google.subject.startsWith('repo:acme/api:')"],
    ["assertion.repository_owner_id == '1234567'"],
    ["assertion.repository_owner in ['acme', 'acme-labs']"],
    ["'acme' == assertion.repository_owner && assertion.event_name != 'pull_request_target'"],
    ["attribute.repository == 'acme/api' && assertion.ref == 'refs/heads/main'"],
    ['attribute.repository.startsWith("acme/") || attribute.repository.startsWith("acme-labs/")'],
    // A condition reading an attribute the mapping does not set refuses every token.
    ["attribute.team == 'payments'"],
  ])('%s keeps other owners out', (condition) => {
    expect(verdict(condition)).toBe('scoped');
  });

  it.each([
    ["assertion.ref == 'refs/heads/main'"],
    ["assertion.repository.startsWith('acme/') || assertion.ref == 'refs/heads/main'"],
    ["assertion.sub.endsWith('/api:ref:refs/heads/main')"],
    ["assertion.repository.endsWith('/api')"],
    ["assertion.repository_owner != 'evil'"],
    ["assertion.event_name == 'push' || attribute.repository_owner == 'acme'"],
    ["google.subject.endsWith(':environment:production')"],
    ['true'],
  ])('%s admits other owners', (condition) => {
    expect(verdict(condition)).toBe('open');
  });

  it('shows the claims of a foreign token it admits', () => {
    const trust: Trust = {
      issuer: GITHUB,
      condition: "assertion.ref == 'refs/heads/main'",
      mapping: GITHUB_MAPPING,
    };
    expect(judgeOwnerScoping(trust)).toEqual({
      kind: 'open',
      example: { ref: 'refs/heads/main' },
    });
  });

  it('has no condition: open', () => {
    expect(verdict(null)).toBe('open');
  });

  it('cannot decide a regex it found no admitted probe for, nor a condition that does not parse', () => {
    expect(verdict("assertion.repository.matches('^acme/')")).toBe('unknown');
    expect(verdict("assertion.repository.startsWith('acme/'")).toBe('unknown');
  });

  it('does not judge issuers whose tokens belong to one tenant', () => {
    expect(verdict("assertion.sub == 'x'", 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC')).toBe(
      'unknown',
    );
  });

  it('an owner equality holds for any owner name; adding a claim an attacker sets with || opens it', () => {
    const owner = fc
      .stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)
      .filter((name) => name !== 'tokentrail-probe');
    const claim = fc.constantFrom('ref', 'event_name', 'environment', 'ref_type', 'workflow', 'base_ref');
    fc.assert(
      fc.property(owner, claim, fc.stringMatching(/^[a-z/]{1,12}$/), (name, free, value) => {
        expect(verdict(`assertion.repository_owner == '${name}'`)).toBe('scoped');
        expect(verdict(`assertion.repository_owner == '${name}' || assertion.${free} == '${value}'`)).toBe(
          'open',
        );
        expect(verdict(`assertion.repository_owner == '${name}' && assertion.${free} == '${value}'`)).toBe(
          'scoped',
        );
      }),
    );
  });
});

describe('judgeOwnerScoping on other shared issuers', () => {
  const gitlab = { 'google.subject': 'assertion.sub' };
  it('gitlab.com: a namespace condition scopes it, a protected-ref one does not', () => {
    expect(verdict("assertion.namespace_path == 'acme'", 'https://gitlab.com', gitlab)).toBe('scoped');
    expect(verdict("assertion.project_path.startsWith('acme/')", 'https://gitlab.com', gitlab)).toBe(
      'scoped',
    );
    expect(verdict("assertion.ref_protected == 'true'", 'https://gitlab.com', gitlab)).toBe('open');
  });

  it('Terraform Cloud: an organization condition scopes it, a workspace name alone does not', () => {
    const issuer = 'https://app.terraform.io';
    expect(verdict("assertion.terraform_organization_name == 'acme'", issuer, gitlab)).toBe('scoped');
    expect(verdict("assertion.terraform_workspace_name == 'prod'", issuer, gitlab)).toBe('open');
  });
});

describe('admitsSubject', () => {
  const trust = (condition: string | null): Trust => ({ issuer: GITHUB, condition, mapping: GITHUB_MAPPING });

  it("reads a GitHub subject's repository, owner, ref, environment and event", () => {
    const main = 'repo:acme/api:ref:refs/heads/main';
    expect(admitsSubject(trust("attribute.repository == 'acme/api'"), main)).toBe(true);
    expect(admitsSubject(trust("attribute.repository_owner == 'acme'"), 'repo:evil/api:pull_request')).toBe(
      false,
    );
    expect(admitsSubject(trust("assertion.ref == 'refs/heads/main'"), main)).toBe(true);
    expect(
      admitsSubject(trust("assertion.ref == 'refs/heads/main'"), 'repo:acme/api:ref:refs/heads/dev'),
    ).toBe(false);
    expect(
      admitsSubject(
        trust("assertion.environment == 'production' || assertion.sub.startsWith('repo:acme/')"),
        'repo:x/y:environment:production',
      ),
    ).toBe(true);
    expect(admitsSubject(trust(null), 'anything')).toBe(true);
  });

  it('is undecided where the condition reads a claim the subject does not carry', () => {
    expect(
      admitsSubject(trust("assertion.repository_owner_id == '42'"), 'repo:acme/api:ref:refs/heads/main'),
    ).toBeNull();
    expect(
      admitsSubject(trust("assertion.ref == 'refs/heads/main'"), 'repo:acme/api:pull_request'),
    ).toBeNull();
    expect(admitsSubject(trust('assertion.sub.startsWith('), 'repo:acme/api:pull_request')).toBeNull();
  });
});
