import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { parseWebArgs, startWebServer, WebError, type WebServer } from '../../src/cli/web.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A raw GET (no URL normalisation, so "/../x" reaches the server as written). */
function get(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end();
  });
}

describe('synack web server', { timeout: 20_000 }, () => {
  let dir: string;
  let server: WebServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'synack-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'app.js'), 'export {};');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'secret.txt'), 'x');
    writeFileSync(join(tmpdir(), 'synack-web-outside.txt'), 'outside');
    server = await startWebServer({ port: 0, root: dir });
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'synack-web-outside.txt'), { force: true });
  });

  test('GET / → index.html with its type and the page’s Content-Security-Policy', async () => {
    assert.match(server.url, /^http:\/\/localhost:\d+\/$/);
    const r = await get(server.port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, '<!doctype html><title>t</title>');
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
  });

  test('GET /app.js?v=1 → the module as JavaScript (query ignored)', async () => {
    const r = await get(server.port, '/app.js?v=1');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  test('paths escaping the folder, missing files, directories → 404; POST → 405', async () => {
    for (const p of [
      '/../synack-web-outside.txt',
      '/%2e%2e/synack-web-outside.txt',
      '/nope.js',
      '/sub',
      '/%ZZ',
    ]) {
      assert.equal((await get(server.port, p)).status, 404, p);
    }
    assert.equal((await get(server.port, '/', 'POST')).status, 405);
  });

  test('a folder without index.html → ENOTBUILT; a bad port → EINVAL', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'synack-web-empty-'));
    try {
      await assert.rejects(
        startWebServer({ port: 0, root: empty }),
        (e: unknown) => e instanceof WebError && e.code === 'ENOTBUILT',
      );
      await assert.rejects(
        startWebServer({ port: 70000, root: dir }),
        (e: unknown) => e instanceof WebError && e.code === 'EINVAL',
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('port already taken → EADDRINUSE', async () => {
    await assert.rejects(
      startWebServer({ port: server.port, root: dir }),
      (e: unknown) => e instanceof WebError && e.code === 'EADDRINUSE',
    );
  });

  test('arguments: default port 8080, --port N, --port=N, --dir; bad ones throw WebError', () => {
    assert.deepEqual(parseWebArgs([]), { port: 8080, help: false });
    assert.deepEqual(parseWebArgs(['--port', '9000']), { port: 9000, help: false });
    assert.deepEqual(parseWebArgs(['--port=0', '--dir', 'x']), { port: 0, dir: 'x', help: false });
    assert.equal(parseWebArgs(['-h']).help, true);
    for (const bad of [
      ['--port'],
      ['--port', '-1'],
      ['--port', '65536'],
      ['--port', '1e3'],
      ['--what'],
    ]) {
      assert.throws(() => parseWebArgs(bad), WebError, bad.join(' '));
    }
  });

  test('`synack web --port 0 --dir D` → prints the URL, serves it, stops on SIGTERM with code 0', async () => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin/synack.js'), 'web', '--port', '0', '--dir', dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`no URL printed: ${out}`)), 10_000);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (c: string) => {
          out += c;
          const m = /http:\/\/localhost:(\d+)\//.exec(out);
          if (m) {
            clearTimeout(timer);
            done(m[0]);
          }
        });
        child.on('exit', () => fail(new Error(`exited early: ${out}`)));
      });
      const r = await get(Number(new URL(url).port), '/');
      assert.equal(r.status, 200);
      const code = await new Promise<number | null>((done) => {
        child.on('exit', (c) => done(c));
        child.kill('SIGTERM');
      });
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
