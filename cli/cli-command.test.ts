import { oneLineError } from './cli-command.js';

describe("commander's errors", () => {
  it('read as one tokentrail line, with the suggestion on it', () => {
    expect(oneLineError("error: unknown option '--buckt'\n(Did you mean --bucket?)\n")).toBe(
      "tokentrail: unknown option '--buckt' (did you mean --bucket?)\n",
    );
    expect(oneLineError("error: required option '--bucket <glob>' not specified\n")).toBe(
      "tokentrail: required option '--bucket <glob>' not specified\n",
    );
    expect(oneLineError("error: unknown command 'qery'\n(Did you mean query?)\n")).toBe(
      "tokentrail: unknown command 'qery' (did you mean query?)\n",
    );
  });
});
