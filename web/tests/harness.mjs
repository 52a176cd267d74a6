// Shared helpers for the browser tests and the register benchmark: a real `upw serve` on a fresh
// database, a small JSON API client, a planned world built through the API, and Chromium with
// accessibility checks, screenshots and an offline guard.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const upwBinary = process.env.UPW_BINARY ?? path.join(repoRoot, 'build/firmware/upw');
export const screenshotDir = path.join(repoRoot, 'build/web-screenshots');

export const ADMIN_PASSWORD = 'admin-pass-1';
export const PLANNER = { username: 'planner', password: 'planner-pass-1' };
export const SUPERVISOR = { username: 'sup1', password: 'sup1-pass-1' };

export const PHONE = { width: 360, height: 740 };
export const TABLET = { width: 800, height: 1280 };

// ---------------------------------------------------------------------------------------------
// The server

// Runs a `upw` subcommand to completion; `input` goes to standard input (passwords never go on
// the command line).
export function runUpw(args, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(upwBinary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`upw ${args.join(' ')} exited ${code}:\n${out}`));
    });
    child.stdin.end(input);
  });
}

// Starts `upw serve` on a new database in a temp dir, on a free port, with the admin account
// already in it. The account is added before the server starts, as an operator would: a second
// process writing to a live database is not what these tests are about.
export async function startServer({ args = [] } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'upw-web-'));
  const db = path.join(dir, 'upw.db');
  const portFile = path.join(dir, 'port');
  try {
    await runUpw(['user', 'add', '--db', db, '--username', 'admin', '--role', 'admin'],
      `${ADMIN_PASSWORD}\n`);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  const run = await spawnListening(['serve', '--db', db, ...args], portFile).catch(async (e) => {
    await rm(dir, { recursive: true, force: true });
    throw e;
  });
  const { child, exited, port } = run;
  const log = () => run.log();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin, db, dir,
    url: (p) => new URL(p, origin).href,
    log,
    // null while running; how it ended otherwise (a crash shows here as a signal).
    exited: () => (child.exitCode ?? child.signalCode),
    // How it ended: a clean stop is exit code 0; a sanitizer's report or a crash is not.
    stop: () => stopAndClean(child, exited, dir),
  };
}

// Starts head office's hub (`upw hub`) on a new SQLite store in a temp dir, on a free port, and
// answers how to issue enrolment codes for it.
export async function startHub() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'upw-hub-'));
  const db = path.join(dir, 'hub.db');
  const portFile = path.join(dir, 'port');
  const { child, exited, port, log } = await spawnListening(['hub', '--db', db], portFile);
  return {
    origin: `http://127.0.0.1:${port}`,
    log,
    // A one-time enrolment code: kind "base", or "van" with the van's id.
    async code(name, kind, vanId) {
      const args = ['hub', 'code', '--db', db, '--name', name, '--kind', kind];
      if (vanId) args.push('--van-id', vanId);
      const out = await runUpw(args);
      return JSON.parse(out.slice(out.indexOf('{'))).code;
    },
    stop: () => stopAndClean(child, exited, dir),
  };
}

// Spawns `upw ARGS --listen 127.0.0.1:0 --port-file F` and waits until it listens; keeps the tail
// of its output (what explains a failure).
async function spawnListening(args, portFile) {
  const child = spawn(upwBinary, [...args, '--listen', '127.0.0.1:0', '--port-file', portFile],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d) => { log = (log + d).slice(-64 * 1024); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await waitForPort(portFile, child, () => log);
  return { child, exited, port, log: () => log };
}

// SIGTERM, then SIGKILL if it has not ended within 5 s (the server gives requests 1.5 s), then
// removes its directory; answers how it ended.
async function stopAndClean(child, exited, dir) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
  if (!process.env.UPW_KEEP_TMP) await rm(dir, { recursive: true, force: true });
  return exited;
}

// The port file appears once the server listens; polling it avoids racing the bind.
async function waitForPort(portFile, child, log) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`upw serve exited (${child.exitCode ?? child.signalCode}) before listening:\n${log()}`);
    }
    const text = await readFile(portFile, 'utf8').catch(() => '');
    const port = Number.parseInt(text.trim(), 10);
    if (port > 0) return port;
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`upw serve did not write ${portFile} within 15 s:\n${log()}`);
}

// ---------------------------------------------------------------------------------------------
// The JSON API

// A client for /api/v1 that keeps the `upw_session` cookie, like one signed-in browser tab.
export class Api {
  constructor(origin) {
    this.origin = origin;
    this.session = null;
  }

  async request(method, p, body, headers = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (this.session) h.Cookie = `upw_session=${this.session}`;
    const res = await fetch(new URL(p, this.origin), {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    this.#keepCookie(res);
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: keep the text */ }
    return { status: res.status, headers: res.headers, etag: res.headers.get('etag'), json, text };
  }

  #keepCookie(res) {
    for (const c of res.headers.getSetCookie()) {
      const m = /^upw_session=([^;]*)/.exec(c);
      if (!m) continue;
      this.session = /max-age=0/i.test(c) || m[1] === '' ? null : m[1];
    }
  }

  get(p) { return this.request('GET', p); }
  post(p, body) { return this.request('POST', p, body); }
  patch(p, body, etag) { return this.request('PATCH', p, body, { 'If-Match': etag }); }

  async login(username, password) {
    expectStatus(await this.post('/api/v1/session', { username, password }), 201,
      `sign in as ${username}`);
    return this;
  }

  // POSTs a new resource and answers its id; anything but 201 is a failed setup.
  async create(p, body) {
    const r = await this.post(p, body);
    expectStatus(r, 201, `POST ${p} ${JSON.stringify(body)}`);
    return r.json.id;
  }
}

export function expectStatus(r, status, what) {
  assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text}`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// UK local time (Europe/London), the zone sessions are planned in

const ukFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

// {date: "YYYY-MM-DD", time: "HH:MM"} of an instant (ms since the epoch) on UK clocks.
export function ukLocal(ms) {
  const p = Object.fromEntries(ukFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

// The API's timestamp form: UTC to the second.
export function utcStamp(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------
// The world: accounts, reference data, one work group running now with everyone allocated

const NAMES = [
  ['Aileen', 'Campbell'], ['Brian', 'MacLeod'], ['Catriona', 'Fraser'], ['Duncan', 'Stewart'],
  ['Eilidh', 'Robertson'], ['Fergus', 'Murray'], ['Gillian', 'Reid'], ['Hamish', 'Paterson'],
  ['Iona', 'Ferguson'], ['Jamie', 'Lindsay'], ['Kirsty', 'Hamilton'], ['Lewis', 'Gordon'],
];
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTE = 60_000;

// Builds, through the API, what a planner would have set up before the day: a planner and a
// supervisor account (sup1), a placement, a van, `people` service users with active 80-hour
// orders, and one group whose session started `startedMinutesAgo` ago and runs `lengthMinutes`,
// with everyone allocated. Times are whole minutes so that "HH:MM" round-trips exactly.
export async function buildWorld(server, { people = 6, startedMinutesAgo = 180, lengthMinutes = 240 } = {}) {
  assert.ok(people >= 1 && people <= NAMES.length, `people must be 1..${NAMES.length}`);
  const admin = await new Api(server.origin).login('admin', ADMIN_PASSWORD);
  await admin.create('/api/v1/users', { ...PLANNER, role: 'planner' });
  const planner = await new Api(server.origin).login(PLANNER.username, PLANNER.password);

  const supervisorId = await planner.create('/api/v1/supervisors',
    { name: 'Sam Supervisor', can_drive: true, phone: '07700 900123' });
  await admin.create('/api/v1/users',
    { ...SUPERVISOR, role: 'supervisor', supervisor_id: supervisorId });

  const placement = {
    name: 'Leith Community Garden', kind: 'group', address: '12 Ferry Road, Edinburgh EH6 4AE',
    capacity: people, max_per_supervisor: people, days_available: ALL_DAYS,
    notes: 'Gloves and boots are in the green shed. Report to the garden manager.',
  };
  placement.id = await planner.create('/api/v1/placements', placement);
  const van = { name: 'Van 1', registration: 'SV21 ABC', seats: people + 2, usable_seats: people + 1 };
  van.id = await planner.create('/api/v1/vans', van);

  const now = Date.now();
  const imposedOn = ukLocal(now - 30 * 24 * 60 * MINUTE).date;
  const persons = [];
  for (const [i, [first, last]] of NAMES.slice(0, people).entries()) {
    const person = { first_name: first, last_name: last, date_of_birth: `199${i % 10}-0${1 + (i % 9)}-1${i % 10}` };
    // One risk flag (shown to the supervisor) and one welfare note (planners only) to check both.
    if (i === people - 1) {
      person.risk_flags = ['medical_needs'];
      person.welfare_notes = 'Carer for her mother; may need to leave early.';
    }
    person.id = await planner.create('/api/v1/service-users', person);
    person.name = `${first} ${last}`;
    person.orderId = await planner.create('/api/v1/orders', {
      service_user_id: person.id, court: 'Edinburgh Sheriff Court', imposed_on: imposedOn,
      hours_ordered: 80, status: 'active',
    });
    persons.push(person);
  }

  const startMs = Math.floor((now - startedMinutesAgo * MINUTE) / MINUTE) * MINUTE;
  const start = ukLocal(startMs);
  const at = (minutes) => ukLocal(startMs + minutes * MINUTE).time;
  const group = {
    // The session date is the local date of the start; an end before the start crosses midnight.
    session_date: start.date, starts_at: start.time, ends_at: at(lengthMinutes),
    placement_id: placement.id, supervisor_id: supervisorId, van_id: van.id, capacity: people,
  };
  group.id = await planner.create('/api/v1/work-groups', group);

  const pickups = ['Leith Walk, Pilrig Church', 'Great Junction Street, library'];
  for (const [i, person] of persons.entries()) {
    person.pickup = { point: pickups[i % 2], time: at(-45 + 15 * (i % 2)) };
    const r = await planner.post(`/api/v1/work-groups/${group.id}/allocations`, {
      service_user_id: person.id, pickup_point: person.pickup.point, pickup_time: person.pickup.time,
    });
    expectStatus(r, 201, `allocate ${person.name}`);
  }

  return {
    admin, planner, supervisorId, placement, van, people: persons, group,
    start,                                 // {date, time: "HH:MM"} on UK clocks
    startMs,
    at,                                    // at(n): "HH:MM" n minutes after the start
    stamp: (minutes) => utcStamp(startMs + minutes * MINUTE),  // the same instant for the API
  };
}

// ---------------------------------------------------------------------------------------------
// The browser

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
];

// Debian's Chromium, never a downloaded build.
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.UPW_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

// A new context (own cookies and cache) at one viewport, held to the server's origin.
// `guard: false` is for the benchmark: routing requests disables the browser's cache.
export async function openPage(browser, server, viewport, { guard = true } = {}) {
  const context = await browser.newContext({
    viewport, hasTouch: true, isMobile: true, locale: 'en-GB', timezoneId: 'Europe/London',
    baseURL: server.origin,
  });
  // Playwright's 30 s default only slows down a failure: every page here is local.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = guard ? await guardOrigin(context, page, server.origin) : null;
  return { context, page, problems, close: () => context.close() };
}

// Records (and blocks, so the test behaves as offline as the van) every request that leaves the
// server's origin, and every uncaught script error. `assertClean()` fails the test on either.
async function guardOrigin(context, page, origin) {
  const offsite = [];
  const scriptErrors = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.fallback();
    offsite.push(`${route.request().method()} ${url} (from ${page.url()})`);
    return route.abort('blockedbyclient');
  });
  page.on('pageerror', (e) => scriptErrors.push(`${page.url()}: ${e.message}`));
  return {
    assertClean() {
      assert.deepEqual(offsite, [], `requests outside ${origin}:\n  ${offsite.join('\n  ')}`);
      assert.deepEqual(scriptErrors, [], `uncaught script errors:\n  ${scriptErrors.join('\n  ')}`);
    },
  };
}

// Runs axe on the page as it is now and fails with a readable list of violations.
export async function checkA11y(page, name) {
  const results = await new AxeBuilder({ page }).analyze();
  if (results.violations.length === 0) return;
  const lines = results.violations.map((v) => {
    const nodes = v.nodes.map((n) => `      ${n.target.join(' ')}\n        ${
      (n.failureSummary ?? '').replace(/\n/g, '\n        ')}`);
    return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes.join('\n')}`;
  });
  assert.fail(`${name} (${page.url()}): ${results.violations.length} accessibility violation(s)\n${lines.join('\n')}`);
}

// Saves a full-page screenshot as build/web-screenshots/<name>-<w>x<h>.png.
export async function shoot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  const { width, height } = page.viewportSize();
  const file = path.join(screenshotDir, `${name}-${width}x${height}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Screenshots `page`'s current document in another context (another viewport). The HTML is
// replayed rather than fetched again, so a 422 form or a one-off notification looks the same;
// its styles and scripts still come from the server.
export async function shootElsewhere(other, page, name) {
  const target = page.url();
  const html = await page.content();
  await other.context.addCookies(await page.context().cookies());
  const matches = (u) => u.href === target;
  await other.page.route(matches,
    (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    { times: 1 });
  await other.page.goto(target, { waitUntil: 'load' });
  await other.page.unroute(matches);
  return shoot(other.page, name);
}
