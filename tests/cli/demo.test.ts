import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { serveDemo } from '../../src/cli/demo-command.js';
import { runCli } from './run-cli.js';

describe('phasekit demo', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  async function serveFixture(): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'phasekit-demo-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'export {};');
    server = await serveDemo(root, 0);
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  it('serves index.html for / and files with their content type', async () => {
    const base = await serveFixture();
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>demo</title>');
    expect((await fetch(`${base}/assets/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('answers 404 for missing files and never serves outside its folder', async () => {
    const base = await serveFixture();
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
    expect((await fetch(`${base}/..%2F..%2Fetc%2Fpasswd`)).status).toBe(403);
  });

  it('refuses a port that is in use as bad input', async () => {
    const base = await serveFixture();
    const port = new URL(base).port;
    const r = await runCli(['demo', '--port', port]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/port \d+ is in use|has no built demo/);
  });
});
