import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type PageData, pageDataJson } from '../../shared/core/report/page-data.js';

/** The page's script, bundled by `npm run build` (ui/build.mjs) beside the compiled CLI. */
const APP_SCRIPT = new URL('../../ui/app.js', import.meta.url);

const STYLE = `
body{font:14px system-ui,sans-serif;margin:0 16px;color:#1d1d1f}
nav{margin:12px 0}.tab{margin-right:8px}
.filters label,.window label{margin-right:12px}.window button{margin-right:4px}.window input{width:17em}.summary,.window{color:#555}
.legend{color:#555;font-size:12px}.key{margin-right:14px;border-bottom:3px solid #9aa5b8;padding-bottom:1px}
.key.alerted{border-color:#d0021b}.key.failing{border-bottom-style:dashed;border-color:#c97a00}.key.hop{border-color:#7d5bbe}
.graph{overflow:auto;border:1px solid #ddd;max-height:70vh}
.heading{font-weight:bold;text-transform:uppercase;font-size:11px;fill:#555}
.node rect{fill:#f4f6fa;stroke:#8a94a6}.node.subject rect{fill:#eef6ee}.node.bucket rect{fill:#fbf3e8}.node.hop rect{fill:#f1ecfa;stroke:#7d5bbe}
.node.aggregate rect{stroke-dasharray:4 2;cursor:pointer}.node text{font-size:12px;font-family:ui-monospace,monospace}
.node .count{fill:#555}
.edge{cursor:pointer}.edge .line{fill:none;stroke:#9aa5b8}.edge .hit{fill:none;stroke:transparent;stroke-width:12}
.edge.hop .line{stroke:#7d5bbe}.edge.failing .line{stroke:#c97a00;stroke-dasharray:6 3}.edge.alerted .line{stroke:#d0021b}
.edge:hover .line,.edge:focus .line{stroke:#2a5bd7}.edge:focus,.node:focus{outline:none}.node:focus rect{stroke:#2a5bd7;stroke-width:2}
table.events{border-collapse:collapse;font-size:12px}table.events td,table.events th{border:1px solid #ddd;padding:2px 6px;text-align:left}
tr.failure{background:#fdecea}.id,.query,.subject dd{font-family:ui-monospace,monospace;word-break:break-all}
.alert{border:1px solid #ddd;border-left:6px solid #8a94a6;padding:4px 12px;margin:8px 0}
.severity-critical,.severity-high{border-left-color:#d0021b}.severity-medium{border-left-color:#c97a00}
.severity{font-weight:bold;text-transform:uppercase}.status{float:right;color:#555}
dl .field{display:flex;gap:8px}dt{min-width:80px;color:#555}dd{margin:0}.error{color:#d0021b}
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export interface PageHtml {
  readonly html: string;
  /** The policy, also sent as a header by the server (where frame-ancestors takes effect). */
  readonly csp: string;
}

export async function loadAppScript(): Promise<string> {
  const script = await readFile(APP_SCRIPT, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new Error(`the page's script is not built (${APP_SCRIPT.pathname}); run npm run build`);
  });
  if (/<\/script|<!--/i.test(script)) throw new Error('the bundled page script would end its script element');
  return script;
}

/**
 * One self-contained page: style, data and script inline, allowed by hash only. `connect` is the
 * connect-src: 'none' for a report file, 'self' for the server's acknowledge calls.
 */
export function pageHtml(data: PageData, script: string, connect: "'none'" | "'self'"): PageHtml {
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(STYLE)}`,
    `connect-src ${connect}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<title>tokentrail: lineage and alerts</title>
<style>${STYLE}</style>
</head>
<body>
<main id="app"><p>tokentrail needs JavaScript to draw this page.</p></main>
<script type="application/json" id="page-data">${pageDataJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
  return { html, csp };
}
