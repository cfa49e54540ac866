// Bundles the page's script (ui/app.ts and the pure report code it uses) into dist/ui/app.js, which
// `tokentrail report --html` and `tokentrail ui` inline into the page. Run by `npm run build`.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./app.ts', import.meta.url).pathname],
  outfile: new URL('../dist/ui/app.js', import.meta.url).pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
});
