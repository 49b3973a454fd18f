// The consumer trace page of the demo lot (五常大米 DHX261003) on a phone: what a shopper sees after
// scanning the QR code — product, the published spot-check report with its verdict, the organic and
// 绿色食品 certificates, the timeline — all within the screen's width; the report's link opens its
// public record. The shared e2e server has no demo data, so this test starts its own `nqi serve` on
// a fresh SQLite file loaded with `nqi trace demo` (the same data `nqi init --demo` loads).
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { BIN, launch, close } from './lib.mjs';

const TMP = process.env.NQI_TEST_TMP || os.tmpdir();
const DB = `sqlite:${path.join(TMP, `consumer-page-${process.pid}.db`)}`;
let server, url;

before(async () => {
  for (const args of [['init'], ['trace', 'demo']]) {
    const r = spawnSync(BIN, args, { env: { ...process.env, NQI_DB: DB }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  server = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--quiet'], { env: { ...process.env, NQI_DB: DB } });
  url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) resolve(m[0]);
    });
    server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
});

after(async () => {
  await close();
  if (server) server.kill('SIGTERM');
});

test('demo lot on a phone: report with verdict, certificates, timeline; the report link opens the public record', async () => {
  const b = await launch();
  const ctx = await b.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto(`${url}/t/01/09506000134352/10/DHX261003`);
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('h1').textContent(), '五常大米（稻花香2号）5kg');

  const report = page.locator('[data-test=reports] [data-test=report]');
  assert.equal(await report.count(), 1);
  assert.match(await report.textContent(), /本批次抽检.*2026年黑龙江省大米产品质量监督抽查/s);
  assert.match(await report.textContent(), /检验依据：GB 2761-2017、GB 2762-2022/);
  const verdict = report.locator('[data-test=verdict]');
  assert.equal(await verdict.textContent(), '合格');
  // green badge, white text: the colour says the verdict before the word is read
  assert.equal(await verdict.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(29, 111, 66)');

  const certs = page.locator('[data-test=certificates] [data-test=certificate]');
  assert.equal(await certs.count(), 2);
  assert.match(await certs.nth(0).textContent(), /GB\/T 19630-2019.*中绿华夏有机产品认证中心/s);
  assert.match(await certs.nth(1).textContent(), /绿色食品.*中国绿色食品发展中心/s);
  assert.equal(await certs.nth(1).locator('a').getAttribute('href'), 'http://www.greenfood.org.cn/');

  assert.ok(await page.locator('[data-test=timeline] li').count() >= 5);
  // mobile: nothing wider than the screen
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `page is ${sw}px wide on a ${iw}px screen`);
  await page.screenshot({ path: path.join(TMP, 'consumer-page.png'), fullPage: true });

  await report.locator('a', { hasText: '公示记录' }).click();
  await page.waitForURL(/\/t\/reports\/\d+$/);
  assert.equal(await page.locator('[data-test=verdict]').textContent(), '合格');
  assert.match(await page.locator('body').textContent(), /五常市稻香米业有限公司/);
  assert.deepEqual(errors, []);
  await ctx.close();
});
