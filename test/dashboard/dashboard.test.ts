// The dashboard in a real browser (Debian's Chromium through playwright-core) on the pipeline's real
// stack: a revision runs while its page is open, and builds and tests appear without a reload.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorkflowId } from '../../src/temporal/workflow-ids';
import { triggerNow } from '../../src/workflows/pipeline/client';
import { createTestUser, http } from '../support/api';
import { testEnv } from '../support/harness';
import { createKernelRepo, type KernelRepo } from '../support/pipeline-repo';
import { basicConfig, startPipelineStack, waitFor, type PipelineStack } from '../support/pipeline-stack';
import { collectPageErrors, launchChromium, screenshot } from './browser';

const LIVE_TIMEOUT = 60_000;

describe('dashboard in Chromium on the embedded stack', () => {
  let stack: PipelineStack;
  let repo: KernelRepo;
  let browser: Browser;
  let tree: string;
  let commit: string;
  let checkoutId: string;
  let kbuildId: string;
  let revision: Promise<{ checkoutId: string; kbuildId: string }>;

  beforeAll(async () => {
    tree = `dash${Date.now().toString(36)}`;
    const repoDir = path.join(testEnv().tmpDir, `repo-${tree}`);
    // "slow": each build takes 6 s, so the page is open while the build runs.
    repo = await createKernelRepo(repoDir, 'slow');
    stack = await startPipelineStack((ctx) => basicConfig(ctx, { [tree]: `file://${repoDir}` }));
    await stack.startLabInProcess();
    browser = await launchChromium();
  });

  async function openPage(width = 1280, height = 900): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    return { page, errors: collectPageErrors(page) };
  }

  /** Opens a revision page in a fresh context and reads its first-paint timing from the page's own clock. */
  async function openRevisionTimed(id: string) {
    const { page, errors } = await openPage();
    const t0 = Date.now();
    await page.goto(`${stack.api.url}/dashboard/#/revision/${id}`);
    await page.locator('dl.facts').waitFor();
    const wallMs = Date.now() - t0;
    // (Page-side code is passed as text: the test's own TypeScript program has no DOM types.)
    const timing = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        painted: performance.getEntriesByName('maestro:revision-painted')[0]?.startTime,
        html: nav.responseEnd,
        domReady: nav.domContentLoadedEventEnd,
      };
    })()`)) as { painted: number; html: number; domReady: number };
    return { page, errors, timing, wallMs };
  }

  it('a revision page shows builds and tests as they happen, without a reload, and links to a log', async () => {
    commit = await repo.commit('mm: fix a leak');
    const started = await triggerNow(stack.client, { tree, taskQueue: stack.taskQueue });
    expect(started.started).toEqual([checkoutWorkflowId(tree, 'master', commit)]);
    const checkout = await waitFor(
      'checkout node',
      async () =>
        (await stack.reader.findNodes({ kind: 'checkout', 'data.kernel_revision.commit': commit })).items[0],
      15_000,
      25,
    );
    checkoutId = checkout.id;

    // The revision as the later tests need it, whatever happens to this test.
    revision = (async () => {
      await stack.client.workflow.getHandle(checkoutWorkflowId(tree, 'master', commit)).result();
      const [kbuild] = (await stack.reader.findNodes({ treeid: checkout.id, kind: 'kbuild' })).items;
      return { checkoutId: checkout.id, kbuildId: kbuild.id };
    })();
    revision.catch(() => undefined);

    const { page, errors } = await openPage();
    await page.goto(`${stack.api.url}/dashboard/#/revision/${checkoutId}`);
    await page.locator('dl.facts').waitFor();
    // A marker that a reload would wipe out.
    await page.evaluate('window.__sameDocument = true');
    await expect.poll(() => page.locator('.live').textContent(), { timeout: 10_000 }).toContain('live');

    // The build appears while it runs, then passes: all from the event stream.
    const build = page.locator('tr[data-node]', { hasText: 'kbuild-x86' });
    await build.filter({ hasText: 'running' }).waitFor({ timeout: LIVE_TIMEOUT });
    await build.filter({ hasText: 'pass' }).waitFor({ timeout: LIVE_TIMEOUT });
    await expect.poll(() => build.textContent()).toContain('x86_64');
    await expect.poll(() => build.textContent()).toContain('defconfig');
    kbuildId = (await build.getAttribute('data-node'))!;

    // Tests appear grouped under their job and platform, with their results.
    const job = page.locator('tbody[data-job="selftest"][data-platform="qemu-x86"]');
    await job.locator('tr.test-row').nth(3).waitFor({ timeout: LIVE_TIMEOUT });
    const tests = await job
      .locator('tr.test-row')
      .evaluateAll((rows) =>
        rows.map((r) => `${r.getAttribute('data-test')}=${r.querySelector('.badge')!.textContent}`),
      );
    expect(tests.sort()).toEqual(['boot=pass', 'smoke.hello=pass', 'smoke.optional=skip', 'smoke=pass']);
    await expect.poll(() => job.locator('tr.job-row').textContent()).toContain('2 pass');

    // The checkout closes after its holdoff; the header follows.
    await page
      .locator('dl.facts dd', { hasText: 'done' })
      .filter({ hasText: 'pass' })
      .waitFor({ timeout: LIVE_TIMEOUT });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    const facts = await page.locator('dl.facts').textContent();
    expect(facts).toContain(commit);
    expect(facts).toMatch(/v6\.9-rc1-1-g/);
    expect(await page.locator('h1').textContent()).toMatch(/^v6\.9-rc1-1-g/);
    const tarball = page.locator('dl.facts a', { hasText: '.tar.gz' });
    expect(await tarball.getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.tar\.gz$/);
    const workflow = await page.locator('dl.facts a', { hasText: 'Temporal UI' }).getAttribute('href');
    expect(workflow).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent(
        `WorkflowId="${checkoutWorkflowId(tree, 'master', commit)}"`,
      )}`,
    );

    // Follow the build's log link: the storage service serves the build output.
    // The storage service sends logs as application/octet-stream, which Chromium saves rather than
    // shows; either way the link must lead to the build's output (the way not taken never settles).
    const link = page.getByRole('link', { name: 'log of kbuild-x86' });
    expect(await link.getAttribute('href')).toMatch(new RegExp(`/kbuild-x86-${kbuildId}/log\\.txt$`));
    const download = page.waitForEvent('download').then(
      async (d) => fs.readFile((await d.path())!, 'utf8'),
      () => new Promise<string>(() => undefined),
    );
    const shown = page.waitForURL(/\/log\.txt$/).then(
      async () => (await page.locator('body').textContent()) ?? '',
      () => new Promise<string>(() => undefined),
    );
    await link.click();
    expect(await Promise.race([download, shown])).toContain('LD      arch/x86/boot/bzImage');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a revision page paints within 1 s (median of three cold loads)', async () => {
    ({ checkoutId, kbuildId } = await revision);
    // Each load in a fresh browser context (empty cache); the stack is idle (the revision is done), so
    // this measures the page and the API, not the pipeline worker sharing this process.
    const loads = [];
    for (let i = 0; i < 3; i++) loads.push(await openRevisionTimed(checkoutId));
    for (const l of loads) expect(l.errors).toEqual([]);
    for (const l of loads) await l.page.context().close();
    const painted = loads.map((l) => l.timing.painted).sort((a, b) => a - b);
    console.log(
      `[measure] revision page first paint (navigation start → checkout summary rendered), three cold loads: ${loads
        .map(
          (l) =>
            `${Math.round(l.timing.painted)} ms (html ${Math.round(l.timing.html)}, DOM ready ${Math.round(l.timing.domReady)}, goto → visible ${l.wallMs})`,
        )
        .join('; ')}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
    );
    expect(painted[1]).toBeLessThan(1000);
  });

  it('the trees page lists the tree with its latest revision and result counts; search finds it', async () => {
    ({ checkoutId, kbuildId } = await revision);
    const { page, errors } = await openPage();
    await page.goto(`${stack.api.url}/dashboard/`);
    const section = page.locator('section.tree-group', { hasText: tree });
    await section.waitFor();
    const row = section.locator('tbody tr').first();
    await expect.poll(() => row.textContent()).toMatch(/v6\.9-rc1-1-g/);
    // 1 build passed; 3 leaf and group tests passed (boot, smoke, smoke.hello), none failed or incomplete.
    await expect
      .poll(() => row.locator('.counts').evaluateAll((c) => c.map((e) => e.getAttribute('aria-label'))))
      .toEqual(['builds: 1 pass, 0 fail, 0 incomplete', 'tests: 3 pass, 0 fail, 0 incomplete']);
    await screenshot(page, 'dashboard-trees');

    // Keyboard only: the search box, a commit prefix, Enter, then the result link.
    await page.locator('#search-input').focus();
    await page.keyboard.type(commit.slice(0, 10));
    await page.keyboard.press('Enter');
    const result = page.locator('table a', { hasText: /v6\.9-rc1-1-g/ });
    await result.waitFor();
    await result.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`#/revision/${checkoutId}$`));
    await page.locator('dl.facts').waitFor();

    // A node id goes straight to the node; a describe string finds the revision.
    await page.goto(`${stack.api.url}/dashboard/#/search?q=${kbuildId}`);
    await page.getByRole('link', { name: 'kbuild kbuild-x86' }).waitFor();
    const describe = (await stack.reader.getNode(checkoutId))!.data.kernel_revision as { describe: string };
    await page.goto(`${stack.api.url}/dashboard/#/search?q=${encodeURIComponent(describe.describe)}`);
    await expect.poll(() => page.locator('caption').textContent()).toContain('by describe');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a node page shows its path, state history from events, artifacts and children', async () => {
    ({ checkoutId, kbuildId } = await revision);
    const { page, errors } = await openPage();
    await page.goto(`${stack.api.url}/dashboard/#/node/${kbuildId}`);
    await page.locator('h1', { hasText: 'kbuild-x86' }).waitFor();
    expect(await page.locator('.path').textContent()).toBe('checkout › kbuild-x86');
    const history = page.locator('section[aria-labelledby="history-h"] tbody tr');
    await history.first().waitFor();
    const changes = await history.evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent!.trim())),
    );
    expect(changes[0]).toEqual(['created', 'running', '—']);
    expect(changes.at(-1)).toEqual(['updated', 'available → done', 'pass']);
    const artifacts = await page
      .locator('section[aria-labelledby="artifacts-h"] a')
      .evaluateAll((links) => links.map((a) => a.textContent));
    expect(artifacts.sort()).toEqual(['build_log', 'config', 'kernel_image']);
    await page.getByRole('link', { name: 'selftest' }).waitFor();
    await screenshot(page, 'dashboard-node');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('regressions recorded while the page is open appear as new and fixed', async () => {
    ({ checkoutId, kbuildId } = await revision);
    const { page, errors } = await openPage();
    await page.goto(`${stack.api.url}/dashboard/#/revision/${checkoutId}`);
    await expect.poll(() => page.locator('.live').textContent(), { timeout: 10_000 }).toContain('live');
    expect(await page.locator('section[aria-labelledby="regressions-h"]').textContent()).toContain(
      'No regressions recorded',
    );
    // Regression nodes as KernelCI's regression tracker writes them: under the failing node's parent,
    // `fail` while the regression lasts and `pass` once fixed, pointing at the failing and passing nodes.
    const [job] = (await stack.reader.findNodes({ treeid: checkoutId, kind: 'job' })).items;
    const [boot] = (await stack.reader.findNodes({ parent: job.id, name: 'boot' })).items;
    const tracker = await createTestUser(stack.api, { username: `tracker-${tree}` });
    const ids: string[] = [];
    for (const [name, result] of [
      ['boot', 'fail'],
      ['smoke', 'pass'],
    ]) {
      const res = await http(stack.api, 'POST', '/latest/node', {
        token: tracker.token,
        json: {
          kind: 'regression',
          name,
          parent: job.id,
          state: 'done',
          result,
          data: { fail_node: boot.id, pass_node: boot.id, platform: 'qemu-x86' },
          // Artifact URLs come from any API user: a script URL must never become a link.
          artifacts: { report: 'javascript:alert(document.domain)', log: `${stack.storage.url}/x/log.txt` },
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      ids.push(res.body.id);
    }
    const tables = page.locator('section[aria-labelledby="regressions-h"] caption');
    await expect
      .poll(() => tables.allTextContents(), { timeout: 15_000 })
      .toEqual(['New regressions (1)', 'Fixed regressions (1)']);
    await screenshot(page, 'dashboard-revision');

    await page.goto(`${stack.api.url}/dashboard/#/node/${ids[0]}`);
    const artifacts = page.locator('section[aria-labelledby="artifacts-h"]');
    await artifacts.getByRole('link', { name: 'log' }).waitFor();
    expect(await artifacts.textContent()).toContain('report');
    expect(await artifacts.locator('a').count()).toBe(1);
    expect(await page.title()).toBe('Node · Maestro results');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('on a phone-sized screen the revision page does not overflow sideways', async () => {
    ({ checkoutId, kbuildId } = await revision);
    const { page, errors } = await openPage(390, 844);
    await page.goto(`${stack.api.url}/dashboard/#/revision/${checkoutId}`);
    await page.locator('tbody[data-job="selftest"] tr.test-row').first().waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'dashboard-revision-phone');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
