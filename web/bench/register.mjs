// Benchmark (not a test): how fast the register page of a 12-person group loads in Chromium from
// `upw serve`, against the same bytes served as a static file from a tiny node server on
// 127.0.0.1 in the same run. Prints p50/p95 of DOMContentLoaded and load (Navigation Timing) and
// the ratios. The target: the register is interactive within 300 ms.
import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  PHONE, SUPERVISOR, buildWorld, launchBrowser, openPage, startServer,
} from '../tests/harness.mjs';

const LOADS = Number(process.env.UPW_BENCH_LOADS ?? 50);
const WARMUP = 5;
const TARGET_MS = 300;
const PIN = '2468';

// A few records so the register shows a mix of states, as it would mid-session.
async function recordSome(world) {
  const reg = `/api/v1/work-groups/${world.group.id}/attendance`;
  const [a, b, c, d] = world.people;
  const bodies = [
    { service_user_id: a.id, outcome: 'attended_complied', sign_in: world.stamp(0), sign_out: world.stamp(120), break_minutes: 15 },
    { service_user_id: b.id, outcome: 'attended_complied', sign_in: world.stamp(30) },
    { service_user_id: c.id, outcome: 'unacceptable_absence' },
    { service_user_id: d.id, outcome: 'acceptable_absence', absence_reason: 'medical' },
  ];
  for (const body of bodies) {
    const r = await world.planner.post(reg, body);
    if (r.status !== 201) throw new Error(`record ${JSON.stringify(body)}: ${r.status} ${r.text}`);
  }
}

// Signs in as the supervisor the way a person does (password, then a PIN on first sign-in).
async function signIn(page) {
  await page.goto('/login');
  await page.getByLabel('Username', { exact: true }).fill(SUPERVISOR.username);
  await page.getByLabel('Password', { exact: true }).fill(SUPERVISOR.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/pin' || u.pathname === '/today');
  if (new URL(page.url()).pathname === '/pin') {
    await page.getByLabel('New PIN', { exact: true }).fill(PIN);
    await page.getByLabel('Repeat the PIN', { exact: true }).fill(PIN);
    await page.getByRole('button', { name: 'Save PIN', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/today');
  }
}

// Loads the page once and notes every same-origin subresource with its bytes and headers, so
// the baseline can serve the very same files (same cache headers, so the browser caches alike).
async function capture(page, server, pagePath) {
  const assets = new Map();
  const onResponse = async (r) => {
    const u = new URL(r.url());
    if (u.origin !== server.origin || u.pathname === pagePath) return;
    assets.set(u.pathname + u.search, r.body().then((body) => ({ status: r.status(), headers: r.headers(), body })));
  };
  page.on('response', onResponse);
  const res = await page.goto(pagePath, { waitUntil: 'load' });
  page.off('response', onResponse);
  if (res.status() !== 200) throw new Error(`GET ${pagePath}: ${res.status()}`);
  const html = await res.body();
  for (const [k, v] of assets) assets.set(k, await v);
  return { html, htmlHeaders: res.headers(), assets };
}

// The baseline: a static file server for the saved HTML and its assets.
async function serveStatic(file, htmlHeaders, pagePath, assets) {
  const keep = (h) => Object.fromEntries(Object.entries(h)
    .filter(([k]) => ['content-type', 'cache-control', 'etag', 'last-modified'].includes(k)));
  const srv = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === pagePath) {
      const body = await readFile(file);  // from disk each time, as a static file server would
      res.writeHead(200, { ...keep(htmlHeaders), 'content-length': body.length });
      return res.end(body);
    }
    const a = assets.get(u.pathname + u.search);
    if (!a) { res.writeHead(404); return res.end(); }
    if (a.headers.etag && req.headers['if-none-match'] === a.headers.etag) {
      res.writeHead(304, keep(a.headers));
      return res.end();
    }
    res.writeHead(a.status, { ...keep(a.headers), 'content-length': a.body.length });
    return res.end(a.body);
  });
  srv.keepAliveTimeout = 60_000;
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) };
}

// One load, timed by the browser itself (Navigation Timing, ms from navigation start).
async function timedLoad(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, ttfb: n.responseStart };
  });
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const fmt = (x) => `${x.toFixed(1).padStart(7)} ms`;

async function main() {
  const server = await startServer();
  const browser = await launchBrowser();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'upw-bench-'));
  let baseline;
  try {
    const world = await buildWorld(server, { people: 12 });
    await recordSome(world);
    const pagePath = `/groups/${world.group.id}`;

    // No request routing here: it would turn the browser's cache off and skew both sides.
    const upw = await openPage(browser, server, PHONE, { guard: false });
    await signIn(upw.page);
    const saved = await capture(upw.page, server, pagePath);
    const file = path.join(tmp, 'register.html');
    await writeFile(file, saved.html);
    baseline = await serveStatic(file, saved.htmlHeaders, pagePath, saved.assets);
    const base = await openPage(browser, baseline, PHONE, { guard: false });

    // Alternate the two so that drift on a busy machine hits both alike.
    const runs = { upw: [], static: [] };
    for (let i = 0; i < WARMUP + LOADS; i++) {
      const a = await timedLoad(upw.page, server.url(pagePath));
      const b = await timedLoad(base.page, baseline.origin + pagePath);
      if (i >= WARMUP) { runs.upw.push(a); runs.static.push(b); }
    }

    const people = await upw.page.locator('li.person').count();
    console.log(`register page /groups/{id}: ${people} people, ${saved.html.length} bytes of HTML, ` +
      `${saved.assets.size} assets; ${LOADS} loads each after ${WARMUP} warm-up, ` +
      `Chromium ${browser.version()} headless, ${PHONE.width}x${PHONE.height}`);
    console.log(`${''.padEnd(28)}${'p50'.padStart(10)}${'p95'.padStart(10)}`);
    for (const [metric, label] of [['ttfb', 'first byte'], ['dcl', 'DOMContentLoaded'], ['load', 'load']]) {
      const u = runs.upw.map((r) => r[metric]);
      const s = runs.static.map((r) => r[metric]);
      console.log(`upw    ${label.padEnd(21)}${fmt(pct(u, 50))}${fmt(pct(u, 95))}`);
      console.log(`static ${label.padEnd(21)}${fmt(pct(s, 50))}${fmt(pct(s, 95))}`);
      console.log(`ratio  ${label.padEnd(21)}${(pct(u, 50) / pct(s, 50)).toFixed(2).padStart(9)}x` +
        `${(pct(u, 95) / pct(s, 95)).toFixed(2).padStart(9)}x`);
    }
    const p95 = pct(runs.upw.map((r) => r.dcl), 95);
    console.log(`target: interactive (DOMContentLoaded) within ${TARGET_MS} ms: p95 ${p95.toFixed(1)} ms, ` +
      `${p95 <= TARGET_MS ? 'met' : 'MISSED'}`);
  } finally {
    await baseline?.close();
    await browser.close();
    await server.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
