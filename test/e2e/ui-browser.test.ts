import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { killRunningProcesses, runProcess, startProcess } from '../helpers/run-process.js';

/**
 * The lineage and alerts page in a real browser (Debian's Chromium, driven by playwright-core),
 * against the demo week with one more hostile subject planted: served by `tokentrail ui` and
 * written by `tokentrail report --html`.
 */
const root = resolve(__dirname, '../..');
const bin = resolve(root, 'bin/tokentrail.js');
const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const built = existsSync(resolve(root, 'dist/ui/app.js')) && existsSync(resolve(root, 'dist/cli/main.js'));
if (!haveBrowser) {
  console.warn(`ui-browser: skipped, no browser at ${CHROMIUM} (apt-get install chromium, as root)`);
}

const FORK = 'repo:someone-else/payments-api:pull_request';
const DEPLOY_ROLE = 'arn:aws:iam::111122223333:role/github-deploy';
const CHAIN_ROOT = 'repo:acme/ml-platform:ref:refs/heads/main';
const CHAIN_HOP = 'arn:aws:sts::111122223333:assumed-role/ml-gcp-sync/ml-gcp-sync';
const CHAIN_PRINCIPAL = 'ml-uploader@acme-prod.iam.gserviceaccount.com';
/** Where the run leaves its screenshots: `npm run screenshots` points it at docs/images. */
const SCREENSHOTS = process.env.TOKENTRAIL_SCREENSHOTS;
const MARKUP_SUBJECT = 'repo:acme/web:ref:refs/heads/<!here> *urgent*\u001b[31m';
const SCRIPT_SUBJECT =
  'repo:mallory/x:ref:refs/heads/<img src=x onerror=alert(1)><script>alert(2)</script>\u202egnp.exe';

let scratch: string;
let store: string;
let browser: BrowserContext;
let serverUrl: string;
let stopServer: () => Promise<unknown>;

/** A copy of the hostile subject's exchange and its write, under another subject and credential. */
async function plantSubject(path: string, subject: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(
      `INSERT INTO events
       SELECT * REPLACE ('planted-' || event_id AS event_id,
                         CASE WHEN subject IS NULL THEN NULL ELSE $subject END AS subject,
                         'ASIAPLANTED000000001' AS credential_id)
       FROM events
       WHERE credential_id = (SELECT credential_id FROM events WHERE subject = $hostile LIMIT 1)`,
      { subject, hostile: MARKUP_SUBJECT },
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function newPage(): Promise<{ page: Page; dialogs: string[]; errors: string[]; requests: string[] }> {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  page.setDefaultTimeout(10_000);
  return { page, dialogs, errors, requests };
}

const edge = (page: Page, from: string, to: string) =>
  page.locator('g.edge').filter({ hasText: `${from} → ${to}:` });

/** Clicks an edge where a user would: on its line, at a point no other edge or node covers. */
async function clickEdge(page: Page, from: string, to: string): Promise<void> {
  const line = edge(page, from, to).locator('path.hit');
  await line.scrollIntoViewIfNeeded();
  const point = await line.evaluate((path: SVGPathElement) => {
    const matrix = path.getScreenCTM();
    const group = path.closest('g');
    const length = path.getTotalLength();
    for (const fraction of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9]) {
      const at = path.getPointAtLength(length * fraction);
      const x = at.x * matrix!.a + at.y * matrix!.c + matrix!.e;
      const y = at.x * matrix!.b + at.y * matrix!.d + matrix!.f;
      if (document.elementFromPoint(x, y)?.closest('g') === group) return { x, y };
    }
    return null;
  });
  if (point === null) throw new Error(`no visible point on the edge ${from} → ${to}`);
  await page.mouse.click(point.x, point.y);
}

(haveBrowser && built ? describe : describe.skip)('the lineage and alerts page in Chromium', () => {
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tokentrail-ui-'));
    const demo = await runProcess(process.execPath, [bin, 'demo'], { cwd: scratch, timeoutMs: 120_000 });
    expect(demo.code).toBe(0);
    store = join(scratch, '.tokentrail/demo.duckdb');
    await plantSubject(store, SCRIPT_SUBJECT);

    // Relative, as a user types it (and as the screenshots show it).
    const server = startProcess(
      process.execPath,
      [bin, 'ui', '--port', '0', '--store', '.tokentrail/demo.duckdb'],
      {
        cwd: scratch,
        timeoutMs: 240_000,
      },
    );
    serverUrl = await new Promise<string>((resolveUrl, reject) => {
      let seen = '';
      server.child.stdout?.on('data', (chunk: string) => {
        seen += chunk;
        const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
        if (match) resolveUrl(match[1]!);
      });
      server.exited.then((run) => reject(new Error(`ui exited: ${run.stderr}`)), reject);
    });
    stopServer = async () => {
      server.child.kill('SIGINT');
      return server.exited;
    };

    // A fresh profile per run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(join(scratch, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    const stopped = await stopServer?.();
    killRunningProcesses();
    rmSync(scratch, { recursive: true, force: true });
    // Ctrl-C closes the server cleanly.
    if (stopped) expect((stopped as { code: number | null }).code).toBe(0);
  }, 60_000);

  it("shows the fork pull request's path, narrows by bucket and lists an edge's events", async () => {
    const { page, errors } = await newPage();
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(edge(page, FORK, DEPLOY_ROLE).count()).resolves.toBe(1);
    await expect(edge(page, DEPLOY_ROLE, 'acme-prod-assets').count()).resolves.toBe(1);
    const alerted = await edge(page, FORK, DEPLOY_ROLE).getAttribute('class');
    expect(alerted).toContain('alerted');

    const before = await page.locator('g.node').count();
    await page.getByLabel('bucket filter').fill('acme-prod-assets');
    const after = await page.locator('g.node').count();
    expect(after).toBeLessThan(before);
    await expect(page.locator('g.node.bucket').allTextContents()).resolves.toEqual([
      expect.stringContaining('acme-prod-assets'),
    ]);

    await clickEdge(page, FORK, DEPLOY_ROLE);
    const rows = page.locator('table.events tbody tr');
    await rows.first().waitFor();
    const cells = await rows.first().locator('td').allTextContents();
    expect(cells[0]).toMatch(/^2026-/);
    expect(cells[2]).toMatch(/^(success|failure)$/);
    expect(cells[3]).not.toBe('');
    expect(cells[4]).toBe(FORK);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('links each listed event to its stored record, served as inert JSON', async () => {
    const { page, errors } = await newPage();
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    await clickEdge(page, FORK, DEPLOY_ROLE);
    const first = page.locator('table.events tbody tr').first();
    const eventId = await first.locator('td.id').textContent();
    const [record] = await Promise.all([
      page.waitForEvent('popup'),
      first.getByRole('link', { name: 'raw' }).click(),
    ]);
    await record.waitForLoadState();
    const response = await fetch(record.url());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const raw = (await response.json()) as { eventID?: string };
    expect(raw.eventID).toBe(eventId);
    // Chromium shows the record as text: the subject's markup stays characters.
    expect(await record.locator('body').textContent()).toContain(eventId ?? '');
    await record.close();
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('draws a cross-cloud chain through its hop: root subject, AWS session, GCP principal', async () => {
    const { page, errors } = await newPage();
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.locator('g.node.hop title').allTextContents()).resolves.toEqual([CHAIN_HOP]);
    await expect(edge(page, CHAIN_ROOT, CHAIN_HOP).count()).resolves.toBe(1);
    await expect(edge(page, CHAIN_HOP, CHAIN_PRINCIPAL).count()).resolves.toBe(1);
    expect(await edge(page, CHAIN_HOP, CHAIN_PRINCIPAL).getAttribute('class')).toContain('hop');
    // No direct edge from the root to the GCP principal: the path goes through the hop.
    await expect(edge(page, CHAIN_ROOT, CHAIN_PRINCIPAL).count()).resolves.toBe(0);

    await page.locator('g.node.hop').click();
    await expect(page.locator('.details h3').textContent()).resolves.toBe(CHAIN_HOP);
    const summary = await page.locator('.details p').first().textContent();
    const [, total] = /^(\d+) events/.exec(summary ?? '') ?? [];
    expect(Number(total)).toBeGreaterThan(0);
    await expect(page.locator('table.events tbody tr').count()).resolves.toBe(Number(total));
    const subjects = new Set(await page.locator('table.events tbody tr td:nth-child(5)').allTextContents());
    expect([...subjects]).toEqual([CHAIN_HOP]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('changes its time window from the server, keeps it in the address and says what it cannot read', async () => {
    const { page, errors } = await newPage();
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    const week = await page.locator('.lineage .summary').textContent();
    const [, weekPaths] = /of (\d+) paths/.exec(week ?? '') ?? [];

    await page.getByRole('button', { name: '24h', exact: true }).click();
    await page.waitForURL(/\?since=24h$/);
    await page.locator('body[data-ready="true"]').waitFor();
    const since = await page.getByLabel('since', { exact: true }).inputValue();
    const until = await page.getByLabel('until', { exact: true }).inputValue();
    expect(Date.parse(until) - Date.parse(since)).toBe(24 * 3600 * 1000);
    const day = await page.locator('.lineage .summary').textContent();
    const [, dayPaths] = /of (\d+) paths/.exec(day ?? '') ?? [];
    expect(Number(dayPaths)).toBeGreaterThan(0);
    expect(Number(dayPaths)).toBeLessThan(Number(weekPaths));

    // The address carries the window: a reload shows the same day.
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.locator('.lineage .summary').textContent()).resolves.toContain(`of ${dayPaths} paths`);

    const box = page.getByLabel('since', { exact: true });
    await box.fill('last tuesday');
    await box.press('Enter');
    const problem = page.getByRole('alert').filter({ hasText: /\S/ });
    await problem.waitFor();
    await expect(problem.textContent()).resolves.toMatch(/since|time|date/i);
    await expect(page.locator('.lineage .summary').textContent()).resolves.toContain(`of ${dayPaths} paths`);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('lists the events on all edges of a clicked node', async () => {
    const { page, errors } = await newPage();
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator(`g.node.principal:has(title:text-is("${DEPLOY_ROLE}"))`).click();
    await expect(page.locator('.details h3').textContent()).resolves.toBe(DEPLOY_ROLE);
    const subjects = new Set(await page.locator('table.events tbody tr td:nth-child(5)').allTextContents());
    // The role's events come from more than one subject, the fork pull request among them.
    expect(subjects.has(FORK)).toBe(true);
    expect(subjects.size).toBeGreaterThan(1);
    const summary = await page.locator('.details p').first().textContent();
    const [, total] = /^(\d+) events/.exec(summary ?? '') ?? [];
    const listed = await page.locator('table.events tbody tr').count();
    expect(listed).toBe(Number(total));
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows hostile subjects as inert text: no dialog, no injected element, the CSP held', async () => {
    const { page, dialogs, errors } = await newPage();
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportViolation(text: string): void }).reportViolation(
          event.violatedDirective,
        ),
      );
    });
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    const titles = await page.locator('g.node.subject title').allTextContents();
    expect(titles).toContainEqual('repo:acme/web:ref:refs/heads/<!here> *urgent*\\u001b[31m');
    expect(titles).toContainEqual(
      'repo:mallory/x:ref:refs/heads/<img src=x onerror=alert(1)><script>alert(2)</script>\\u202egnp.exe',
    );
    await page.getByRole('button', { name: /^Alerts/ }).click();
    await expect(page.locator('.alert .subject dd').allTextContents()).resolves.toContainEqual(
      'repo:acme/web:ref:refs/heads/<!here> *urgent*\\u001b[31m',
    );
    expect(await page.locator('main img, main script').count()).toBe(0);
    // An inline script the page did not ship is refused by the policy.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'alert("injected")';
      document.body.append(script);
    });
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(violations).toContain('script-src-elem');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('draws both views for the README', async () => {
    const { page, errors } = await newPage();
    await page.setViewportSize({ width: 1400, height: 1120 });
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    await clickEdge(page, FORK, DEPLOY_ROLE);
    await page.locator('table.events tbody tr').first().waitFor();
    const folder = SCREENSHOTS === undefined ? scratch : resolve(root, SCREENSHOTS);
    mkdirSync(folder, { recursive: true });
    const lineage = await page.screenshot({ path: join(folder, 'lineage.png') });
    await page.getByRole('button', { name: /^Alerts/ }).click();
    const alerts = await page.screenshot({ path: join(folder, 'alerts.png') });
    // A PNG's signature, and a picture of some size.
    for (const picture of [lineage, alerts]) {
      expect(picture.subarray(1, 4).toString()).toBe('PNG');
      expect(picture.length).toBeGreaterThan(20_000);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('acknowledges an alert from the page, in the store', async () => {
    const { page } = await newPage();
    await page.goto(serverUrl);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.getByRole('button', { name: /^Alerts/ }).click();
    const card = page
      .locator('article.alert')
      .filter({ hasText: 'unexpected-subject' })
      .filter({ hasText: FORK });
    const alertId = await card.getAttribute('data-alert-id');
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await card.locator('.status', { hasText: 'acked' }).waitFor();
    await page.close();

    const response = await fetch(new URL('/api/alerts', serverUrl));
    const alerts = (await response.json()) as { alert_id: string; status: string }[];
    expect(alerts.find((alert) => alert.alert_id === alertId)?.status).toBe('acked');
  }, 60_000);

  it('refuses a write from another origin and a request for another Host', async () => {
    const url = new URL('/api/alerts/x/ack', serverUrl);
    const crossSite = await fetch(url, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((done, reject) => {
      const call = request(serverUrl, { headers: { host: 'evil.example' } }, (answer) => {
        answer.resume();
        done(answer.statusCode);
      });
      call.on('error', reject);
      call.end();
    });
    expect(status).toBe(421);
  });

  it('off loopback, answers only requests carrying the token it printed', async () => {
    const server = startProcess(
      process.execPath,
      [bin, 'ui', '--port', '0', '--host', '0.0.0.0', '--store', store],
      {
        cwd: scratch,
        timeoutMs: 60_000,
      },
    );
    try {
      const printed = await new Promise<string>((resolveUrl, reject) => {
        let seen = '';
        server.child.stdout?.on('data', (chunk: string) => {
          seen += chunk;
          const match = /http:\/\/0\.0\.0\.0:(\d+)\/\?token=([\w-]+)/.exec(seen);
          if (match) resolveUrl(`http://127.0.0.1:${match[1]}/api/alerts?token=${match[2]}`);
        });
        server.exited.then((run) => reject(new Error(`ui exited: ${run.stderr}`)), reject);
      });
      const withToken = new URL(printed);
      expect((await fetch(withToken)).status).toBe(200);
      withToken.searchParams.set('token', 'guessed');
      expect((await fetch(withToken)).status).toBe(401);
      withToken.search = '';
      expect((await fetch(withToken)).status).toBe(401);
    } finally {
      server.child.kill('SIGINT');
      await server.exited;
    }
  }, 60_000);

  it('writes a report that opens from file:// with no network request', async () => {
    const file = join(scratch, 'report.html');
    const run = await runProcess(process.execPath, [bin, 'report', '--html', file, '--store', store], {
      cwd: scratch,
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/default-src 'none'; script-src 'sha256-[^']+'; .*connect-src 'none'/);
    expect(html).not.toContain('unsafe-inline');
    expect(html).not.toContain('<img src=x');

    const { page, dialogs, errors, requests } = await newPage();
    await page.goto(`file://${file}`);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(edge(page, FORK, DEPLOY_ROLE).count()).resolves.toBe(1);
    await page.getByRole('button', { name: /^Alerts/ }).click();
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect(requests).toEqual([`file://${file}`]);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
