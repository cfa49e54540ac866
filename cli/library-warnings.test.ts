import { isLibraryNotice, quietLibraryWarnings } from './library-warnings.js';

// As gcp-metadata and @aws-sdk/core emit them.
const METADATA: [string, string] = [
  'received unexpected error = All promises were rejected code = UNKNOWN',
  'MetadataLookupWarning',
];
const AWS_NODE = `NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)
versions published after the first week of January 2027
will require node >=22. You are running node v20.11.0.`;
const AWS_NODE_OLDER =
  'NodeDeprecationWarning: The AWS SDK for JavaScript (v3) will no longer support Node.js 16.x';

describe('isLibraryNotice', () => {
  it("recognises google-auth-library's metadata probe and the AWS SDK's Node notice", () => {
    expect(isLibraryNotice(...METADATA)).toBe(true);
    expect(isLibraryNotice(METADATA[0], { type: METADATA[1] })).toBe(true);
    expect(isLibraryNotice(AWS_NODE)).toBe(true);
    expect(isLibraryNotice(AWS_NODE_OLDER)).toBe(true);
    const error = Object.assign(new Error('probe failed'), { name: 'MetadataLookupWarning' });
    expect(isLibraryNotice(error)).toBe(true);
  });

  it('leaves every other warning alone', () => {
    expect(isLibraryNotice('something else')).toBe(false);
    expect(isLibraryNotice('Buffer() is deprecated', 'DeprecationWarning')).toBe(false);
    expect(isLibraryNotice(AWS_NODE, 'ExperimentalWarning')).toBe(false);
    expect(isLibraryNotice(`note: ${AWS_NODE}`)).toBe(false);
  });
});

describe('quietLibraryWarnings', () => {
  function target() {
    const emitted: unknown[][] = [];
    const process = {
      emitWarning: ((...args: unknown[]) => {
        emitted.push(args);
      }) as NodeJS.Process['emitWarning'],
    };
    return { process, emitted };
  }

  it('drops the SDK notices and passes every other warning on as it was given', () => {
    const { process, emitted } = target();
    quietLibraryWarnings(process, {});
    process.emitWarning(...METADATA);
    process.emitWarning(AWS_NODE);
    process.emitWarning('keep me', 'DeprecationWarning', 'DEP0005');
    expect(emitted).toEqual([['keep me', 'DeprecationWarning', 'DEP0005']]);
  });

  it('shows them all with TOKENTRAIL_DEBUG', () => {
    const { process, emitted } = target();
    quietLibraryWarnings(process, { TOKENTRAIL_DEBUG: '1' });
    process.emitWarning(...METADATA);
    process.emitWarning(AWS_NODE);
    expect(emitted).toEqual([METADATA, [AWS_NODE]]);
  });
});
