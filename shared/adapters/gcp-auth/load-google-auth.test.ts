import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { loadGoogleAuth } from './load-google-auth.js';

describe('loadGoogleAuth', () => {
  it('gives the GoogleAuth class in Node', async () => {
    expect(typeof (await loadGoogleAuth())).toBe('function');
  });

  it('gives it inside an ES module bundle split into chunks, as the functions are built', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tokentrail-load-google-auth-'));
    try {
      const entry = join(directory, 'entry.ts');
      writeFileSync(
        entry,
        `import { loadGoogleAuth } from ${JSON.stringify(resolve(__dirname, 'load-google-auth.ts'))};\n` +
          'const GoogleAuth = await loadGoogleAuth();\n' +
          "console.log(typeof new GoogleAuth({ scopes: ['s'] }).getClient);\n",
      );
      await build({
        entryPoints: [entry],
        outdir: join(directory, 'out'),
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        outExtension: { '.js': '.mjs' },
        banner: {
          js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        },
        logLevel: 'silent',
      });
      const output = execFileSync(process.execPath, [join(directory, 'out', 'entry.mjs')], {
        env: { PATH: process.env.PATH, METADATA_SERVER_DETECTION: 'none' },
      });
      expect(output.toString().trim()).toBe('function');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
