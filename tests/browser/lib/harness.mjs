// Shared harness of the browser tests: build a site with the archsite binary into a fresh temp
// folder, serve it on 127.0.0.1 with a tiny static server, drive headless Chromium through
// playwright-core, and clean everything up. Every wait has a bound so that no test can hang.

import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync, createReadStream, mkdtempSync, rmSync, accessSync, constants, cpSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
/** tests/browser */
export const BROWSER_DIR = path.resolve(here, '..');
/** The repository root (the sample site: archsite.yaml + content/). */
export const REPO_ROOT = path.resolve(BROWSER_DIR, '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'tests', 'fixtures');
export const AXE_PATH = path.join(BROWSER_DIR, 'node_modules', 'axe-core', 'axe.min.js');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Hard limits (ms). */
export const LIMITS = {
  build: 120_000,
  launch: 30_000,
  action: 10_000,
  navigation: 15_000,
  // Kills a test file that is still alive long after its tests should have finished (e.g. a
  // handle left open): the runner then reports the file as failed instead of waiting forever.
  watchdog: 300_000,
};

const watchdog = setTimeout(() => {
  console.error(`browser-tests watchdog: ${path.basename(process.argv[1] || 'test')} still running after ${LIMITS.watchdog} ms, exiting`);
  process.exit(1);
}, LIMITS.watchdog);
watchdog.unref();

// ---------------------------------------------------------------------------------------------
// archsite

/**
 * Absolute path of the archsite binary: $ARCHSITE_BIN, else debug/archsite in cargo's target
 * folder ($CARGO_TARGET_DIR, else ../../target).
 */
export function archsiteBin() {
  const fromEnv = process.env.ARCHSITE_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(process.env.CARGO_TARGET_DIR)
    : path.resolve(BROWSER_DIR, '..', '..', 'target');
  const bin = fromEnv ? path.resolve(process.cwd(), fromEnv) : path.join(targetDir, 'debug', 'archsite');
  try {
    if (!statSync(bin).isFile()) throw new Error('not a file');
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(
      `archsite binary not found or not executable: ${bin}\n` +
        (fromEnv
          ? 'ARCHSITE_BIN points to a missing file.'
          : 'Build it first with `cargo build` at the repository root, or set ARCHSITE_BIN to its path.'),
    );
  }
  return bin;
}

function run(file, args, options) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: LIMITS.build, maxBuffer: 16 << 20, ...options }, (error, stdout, stderr) => {
      if (error) {
        error.message += `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
        reject(error);
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/**
 * Builds `siteDir` with `archsite build SITE --output TMP/out` into a fresh temp folder.
 * Returns { tmp, outDir, log }; remove `tmp` when done.
 */
export async function buildSite(siteDir, extraArgs = []) {
  const bin = archsiteBin();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'archsite-browser-'));
  const outDir = path.join(tmp, 'out');
  try {
    const { stdout, stderr } = await run(bin, ['build', siteDir, '--output', outDir, '--color', 'never', ...extraArgs], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (!existsSync(path.join(outDir, 'index.html'))) {
      throw new Error(`archsite build ${siteDir} wrote no index.html into ${outDir}\n${stdout}\n${stderr}`);
    }
    return { tmp, outDir, log: stdout + stderr };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// static server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.mmd': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
};

export function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

/**
 * Serves `root` on 127.0.0.1 (random port). Missing files get status 404 with the site's
 * 404.html when there is one (as static hosts do). Returns { url, port, log, close() } where
 * `log` lists { method, path, status } of every request.
 */
export async function serve(root) {
  const rootAbs = path.resolve(root);
  const log = [];
  const server = http.createServer(async (req, res) => {
    const entry = { method: req.method, path: req.url, status: 0 };
    log.push(entry);
    const send = (status, headers, body) => {
      entry.status = status;
      res.writeHead(status, { 'Cache-Control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { Allow: 'GET, HEAD' }, 'method not allowed');
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      } catch {
        return send(400, { 'Content-Type': 'text/plain' }, 'bad request');
      }
      if (pathname.includes('\0')) return send(400, { 'Content-Type': 'text/plain' }, 'bad request');
      let file = path.resolve(rootAbs, '.' + pathname);
      if (file !== rootAbs && !file.startsWith(rootAbs + path.sep)) {
        return send(403, { 'Content-Type': 'text/plain' }, 'forbidden');
      }
      let stat = existsSync(file) ? statSync(file) : null;
      if (stat && stat.isDirectory()) {
        if (!pathname.endsWith('/')) {
          // Relative links inside folder/index.html need the trailing slash.
          const u = new URL(req.url, 'http://127.0.0.1');
          return send(301, { Location: u.pathname + '/' + u.search }, '');
        }
        file = path.join(file, 'index.html');
        stat = existsSync(file) ? statSync(file) : null;
      }
      if (!stat || !stat.isFile()) {
        const page404 = path.join(rootAbs, '404.html');
        if (existsSync(page404)) {
          return send(404, { 'Content-Type': TYPES['.html'] }, await readFile(page404));
        }
        return send(404, { 'Content-Type': 'text/plain; charset=utf-8' }, 'not found');
      }
      entry.status = 200;
      res.writeHead(200, { 'Content-Type': contentType(file), 'Content-Length': stat.size, 'Cache-Control': 'no-store' });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch (error) {
      if (!res.headersSent) send(500, { 'Content-Type': 'text/plain' }, String(error));
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    log,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// browser

export function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: LIMITS.launch });
}

/**
 * A new context + page with guards: every console error, page error, failed request, HTTP
 * error status and request to another origin than `allowedOrigin` (or to anything but file: /
 * data: / blob: when allowedOrigin is 'file') is recorded in `page.problems` (requests leaving
 * the allowed origin are also aborted so nothing reaches the network).
 */
export async function openPage(browser, { allowedOrigin, viewport = { width: 1280, height: 800 }, colorScheme = 'light', reducedMotion = 'reduce', ...contextOptions } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, reducedMotion, ...contextOptions });
  context.setDefaultTimeout(LIMITS.action);
  context.setDefaultNavigationTimeout(LIMITS.navigation);
  const problems = { console: [], pageErrors: [], failed: [], badStatus: [], offsite: [] };

  const allowed = (url) => {
    if (url.startsWith('data:') || url.startsWith('blob:') || url === 'about:blank') return true;
    if (allowedOrigin === 'file') return url.startsWith('file:');
    try {
      const u = new URL(url);
      return u.origin === allowedOrigin && u.hostname === '127.0.0.1';
    } catch {
      return false;
    }
  };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    problems.offsite.push(url);
    return route.abort('blockedbyclient');
  });

  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(`${msg.text()} (${msg.location()?.url || ''})`);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error?.stack || error)));
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText;
    // Chromium asks for the favicon after the page's load event; a test that navigates on at
    // once aborts that request. An abort is not a fault of the site (a missing or broken
    // favicon still shows as a bad status, and reading-layout.test.mjs asks for it).
    if (error === 'net::ERR_ABORTED' && /\/favicon\.(svg|ico)$/.test(new URL(request.url()).pathname)) return;
    problems.failed.push(`${request.method()} ${request.url()}: ${error}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.badStatus.push(`${response.status()} ${response.url()}`);
  });
  page.problems = problems;
  page.resetProblems = () => {
    for (const key of Object.keys(problems)) problems[key].length = 0;
  };
  return { context, page, problems };
}

/** Human-readable list of recorded problems, '' when there are none. */
export function describeProblems(problems, { ignoreUrls = [] } = {}) {
  const lines = [];
  for (const [kind, list] of Object.entries(problems)) {
    for (const item of list) {
      // An expected error status (the 404 test): its response and Chromium's console line.
      if ((kind === 'badStatus' || kind === 'console') && ignoreUrls.some((u) => item.includes(u))) continue;
      lines.push(`${kind}: ${item}`);
    }
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// per-file fixture

/**
 * Registers before/after hooks for a test file: build `siteDir`, serve it (unless
 * { serve: false }), launch Chromium once. Returns an object filled in by `before`:
 * { outDir, url, server, browser, page(opts) -> {page, context, problems} }.
 */
export function useSite(siteDir, { serve: doServe = true, buildArgs = [] } = {}) {
  const env = { siteDir, contexts: [] };
  before(async () => {
    const built = await buildSite(siteDir, buildArgs);
    env.tmp = built.tmp;
    env.outDir = built.outDir;
    env.buildLog = built.log;
    if (doServe) {
      env.server = await serve(built.outDir);
      env.url = env.server.url;
      env.origin = new URL(env.url).origin;
    }
    env.fileUrl = (rel) => pathToFileURL(path.join(built.outDir, rel)).href;
    env.browser = await launchBrowser();
    env.open = async (options = {}) => {
      const opened = await openPage(env.browser, { allowedOrigin: doServe ? env.origin : 'file', ...options });
      env.contexts.push(opened.context);
      return opened;
    };
  }, { timeout: LIMITS.build + LIMITS.launch });

  after(async () => {
    for (const context of env.contexts) await context.close().catch(() => {});
    if (env.browser) await env.browser.close().catch(() => {});
    if (env.server) await env.server.close();
    if (env.tmp) rmSync(env.tmp, { recursive: true, force: true });
  }, { timeout: 30_000 });
  return env;
}

// ---------------------------------------------------------------------------------------------
// page helpers

/** Pathname of the page's URL, percent-decoded, relative to the server root ('' prefix). */
export function decodedPath(pageUrl) {
  return decodeURIComponent(new URL(pageUrl).pathname);
}

/** The decoded fragment of the current location (without '#'). */
export async function decodedHash(page) {
  return page.evaluate(() => decodeURIComponent(location.hash.slice(1)));
}

/**
 * Waits until the element with id `id` is inside the viewport and not hidden under the sticky
 * header; returns its geometry for messages. Throws with details when it never gets there.
 */
export async function expectInViewport(page, id, { timeout = 5000 } = {}) {
  const probe = (targetId) => {
    const el = document.getElementById(targetId);
    if (!el) return { exists: false };
    const r = el.getBoundingClientRect();
    const header = document.querySelector('.site-header');
    const headerBottom = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
    return {
      exists: true,
      top: Math.round(r.top),
      bottom: Math.round(r.bottom),
      headerBottom: Math.round(headerBottom),
      innerHeight: window.innerHeight,
      scrollY: Math.round(window.scrollY),
      ok: r.height > 0 && r.top >= headerBottom - 2 && r.bottom <= window.innerHeight + 1,
    };
  };
  try {
    await page.waitForFunction(probe, id, { timeout, polling: 50 });
    const geometry = await page.evaluate(probe, id);
    if (geometry.ok) return geometry;
  } catch {
    /* reported below */
  }
  const geometry = await page.evaluate(probe, id);
  throw new Error(`#${id} is not visible in the viewport below the header: ${JSON.stringify(geometry)}`);
}

/**
 * Runs axe-core on the page (or on `context`, an axe context such as { include: ['#sidebar'] });
 * returns the violations.
 */
export async function runAxe(page, { context = null, options = {} } = {}) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async ({ context, options }) => {
    const result = await window.axe.run(context || document, options);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
    }));
  }, { context, options });
}

export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map((n) => `    - ${n.target}\n      ${n.html.slice(0, 200)}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      const more = v.nodes.length > 8 ? `\n    ... and ${v.nodes.length - 8} more` : '';
      // Distinct reasons over all nodes (e.g. each colour pair of a contrast failure) with counts.
      const reasons = new Map();
      for (const n of v.nodes) {
        const reason = (n.summary || '')
          .split('\n')
          .filter((l) => l.trim() && !/^Fix (any|all)/.test(l.trim()))
          .map((l) => l.trim().replace(/^Element has insufficient color contrast of [\d.]+ \(/, 'contrast (').replace(/, font size:.*$/, ''))
          .join(' / ');
        const cls = (n.html.match(/class="([^"]*)"/) || [])[1] || n.html.slice(0, 30);
        const key = `${reason}`;
        if (!reasons.has(key)) reasons.set(key, { count: 0, example: cls });
        reasons.get(key).count++;
      }
      const distinct = [...reasons.entries()].map(([r, { count, example }]) => `    * ${count}x ${r}  e.g. [${example}]`).join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node(s))\n${nodes}${more}\n  distinct:\n${distinct}`;
    })
    .join('\n');
}

/** Loads `url` and waits until the sidebar tree has been built by the theme script. */
export async function gotoAndSettle(page, url, { expectSidebar = true } = {}) {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (expectSidebar) await page.waitForSelector('#sidebar-tree a', { state: 'attached', timeout: LIMITS.action });
  return response;
}

/**
 * Opens every closed branch of the sidebar tree (a closed branch's links are made when it is
 * first opened), deepest last, and returns the number of branches it opened.
 */
export async function expandSidebar(page) {
  let opened = 0;
  for (;;) {
    const closed = page.locator('#sidebar-tree button[aria-expanded="false"]');
    if ((await closed.count()) === 0) return opened;
    await closed.first().click();
    opened++;
  }
}

// ---------------------------------------------------------------------------------------------
// live preview (`archsite serve`)

/**
 * Copies `entries` (names relative to `fromDir`, files or folders) into a fresh temp folder and
 * returns its path; remove it when done. E.g. copySite(REPO_ROOT, ['archsite.yaml', 'content']).
 */
export function copySite(fromDir, entries) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'archsite-live-'));
  for (const entry of entries) cpSync(path.join(fromDir, entry), path.join(tmp, entry), { recursive: true });
  return tmp;
}

/**
 * Starts `archsite serve SITE --port 0` and waits (bounded) for its `Serving on URL` line.
 * Returns { url, origin, child, log, waitForLog(re, timeout), stop() }: `log` collects every
 * stderr line; `stop()` kills the process and waits for it (bounded). The process is also
 * killed when the test process exits, whatever the reason.
 */
export async function startServe(siteDir, { args = [], timeout = LIMITS.build } = {}) {
  const bin = archsiteBin();
  const child = spawn(bin, ['serve', siteDir, '--port', '0', '--color', 'never', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.on('error', (error) => log.push(`spawn error: ${error.message}`));
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const log = [];
  const waiters = new Set();
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      log.push(line);
      for (const w of waiters) w(line);
    }
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      // Nothing more will be logged: fail whoever still waits for a line.
      for (const w of [...waiters]) w(null);
      resolve({ code, signal });
    }),
  );

  /** Resolves with the first stderr line (from now on, or already logged after `since`) matching `re`. */
  const waitForLog = (re, ms = LIMITS.action, since = log.length) =>
    new Promise((resolve, reject) => {
      const hit = log.slice(since).find((l) => re.test(l));
      if (hit !== undefined) return resolve(hit);
      const fail = (why) => {
        clearTimeout(timer);
        waiters.delete(check);
        reject(new Error(`archsite serve: no line matching ${re} ${why}; stderr:\n${log.join('\n')}`));
      };
      const timer = setTimeout(() => fail(`within ${ms} ms`), ms);
      const check = (line) => {
        if (line === null) return fail('before the server stopped');
        if (!re.test(line)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(line);
      };
      waiters.add(check);
    });

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 5000).unref())]);
    if (!done) {
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
    }
  };

  let line;
  try {
    line = await Promise.race([
      waitForLog(/^Serving on http:\/\//, timeout, 0),
      exited.then(({ code, signal }) => {
        throw new Error(`archsite serve exited (${code ?? signal}) before serving; stderr:\n${log.join('\n')}${pending}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = line.match(/^Serving on (http:\/\/\S+)/)[1];
  return { url, origin: new URL(url).origin, child, log, waitForLog, stop };
}
