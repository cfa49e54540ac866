import { UsageError } from './cli-io.js';
import { gcpProjectId, isGcpProjectId } from './gcp-project.js';

const EXPECTED = 'a GCP project id such as acme-prod';

describe('gcpProjectId', () => {
  it.each(['acme-prod', 'my-project-123', 'example.com:acme-prod'])('takes %s', (id) => {
    expect(gcpProjectId(id)).toBe(id);
    expect(isGcpProjectId(id)).toBe(true);
  });

  it.each([undefined, '', '  '])('says --project is required when it is %j', (value) => {
    expect(() => gcpProjectId(value)).toThrow(UsageError);
    expect(() => gcpProjectId(value)).toThrow(`--project is required: ${EXPECTED}`);
  });

  it.each([
    ['a project number', '123456789012'],
    ['capitals', 'Acme-Prod'],
    ['too short', 'acme'],
    ['a trailing hyphen', 'acme-prod-'],
    ['a path', 'acme-prod/../x'],
  ])('refuses %s, naming what it got', (_case, value) => {
    expect(() => gcpProjectId(value)).toThrow(`--project '${value}' is not ${EXPECTED}`);
    expect(isGcpProjectId(value)).toBe(false);
  });

  it('shows an invisible character in what it refuses instead of printing it', () => {
    expect(() => gcpProjectId('acme\u001b[31m')).toThrow("--project 'acme\\u001b[31m' is not");
  });
});
