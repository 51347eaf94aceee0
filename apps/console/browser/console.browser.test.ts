/**
 * The console end to end in a real browser: create a dataset, train a tiny model
 * and watch its loss curve grow, evaluate it and see its leaderboard row, deploy
 * it and chat with streaming, run the agent view, follow the lineage, stop the
 * deployment. One sequential story; each step saves a screenshot.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, openHarness, screenshotsDir, storyCorpus, until, type Harness } from './browser-harness.js';

const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`console browser tests skipped: no Chromium at ${chromiumPath} (install it with \`apt-get install chromium\` or set CHROMIUM_PATH)`);

describe.skipIf(!hasChromium)('console in Chromium', () => {
  let harness: Harness;
  let run = '';
  const text = (testId: string) => harness.page.getByTestId(testId).innerText();

  beforeAll(async () => {
    harness = await openHarness();
    console.warn(`screenshots in ${screenshotsDir}`);
  });
  afterAll(async () => harness?.close());
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await harness.shot(`failed-${context.task.name.split(' ')[0]}`).catch(() => undefined);
  });

  it('opens with the token, sets the cookie and shows empty states', async () => {
    const { page } = harness;
    await page.goto(harness.console.url);
    expect(page.url()).not.toContain('token=');
    await page.getByTestId('empty-state').first().waitFor();
    expect(await page.getByTestId('empty-state').first().innerText()).toContain('No datasets yet');
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'chainlm_console')?.httpOnly).toBe(true);
  });

  it('creates a dataset from pasted JSONL and shows its stats, rows and SQL', async () => {
    const { page } = harness;
    await page.getByTestId('ingest-name').fill('stories');
    await page.getByTestId('ingest-content').fill(storyCorpus());
    await page.getByTestId('ingest-submit').click();
    await page.getByTestId('datasets-table').getByText('stories').waitFor({ timeout: 60_000 });
    await page.getByTestId('datasets-table').getByText('stories').click();
    await page.getByTestId('dataset-stats').waitFor();
    expect(await text('dataset-stats')).toContain('400');
    await page.getByTestId('length-histogram').locator('canvas').waitFor();
    await harness.shot('datasets');
    await page.getByRole('tab', { name: 'Rows' }).click();
    expect(await page.getByTestId('rows-table').innerText()).toContain('saw');
    await page.getByRole('tab', { name: 'SQL' }).click();
    await page.getByTestId('sql-input').fill('SELECT count(*) AS n FROM stories');
    await page.getByTestId('sql-run').click();
    await page.getByTestId('sql-result').getByText('400').waitFor();
    await page.getByTestId('sql-input').fill('DELETE FROM stories');
    await page.getByTestId('sql-run').click();
    expect(await page.getByTestId('error-note').innerText()).toContain('read-only');
    await harness.shot('datasets-sql');
  });

  it('trains a tiny model and the loss curve grows without a reload', async () => {
    const { page } = harness;
    await page.getByTestId('nav-training').click();
    await page.getByTestId('train-dataset').click();
    await page.getByRole('option', { name: 'stories' }).click();
    await page.getByTestId('train-steps').fill('60');
    await page.getByTestId('train-submit').click();
    const charts = page.getByTestId('run-charts');
    const points = async () => Number(await charts.getAttribute('data-points'));
    const early = await until(points, (value) => value >= 3, 120_000, 'first metrics');
    const later = await until(points, (value) => value > early + 3, 120_000, 'more metrics');
    expect(later).toBeGreaterThan(early);
    await harness.shot('training-live');
    const badge = async () => ((await page.getByTestId('run-status').textContent()) ?? '').trim();
    await until(badge, (status) => status === 'finished' || status === 'failed', 180_000, 'run end');
    expect(await badge()).toBe('finished');
    run = ((await page.getByTestId('run-title').textContent()) ?? '').trim();
    expect(run).toMatch(/^tiny-/);
    await page.getByTestId('checkpoints-table').waitFor();
    await until(() => page.getByTestId('job-log').innerText(), (log) => log.toLowerCase().includes('succeeded'), 120_000, 'export to finish');
    expect(existsSync(join(harness.home, 'models', run, 'config.json'))).toBe(true);
    await harness.shot('training');
  });

  it('evaluates the model and shows its leaderboard row and samples', async () => {
    const { page } = harness;
    await page.getByTestId('nav-evaluation').click();
    await page.getByLabel('…or a model folder / endpoint URL').fill(join(harness.home, 'models', run));
    await page.getByTestId('eval-submit').click();
    const cell = page.getByTestId('leaderboard-cell').first();
    await cell.waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('leaderboard').innerText()).toContain('arithmetic');
    expect(await page.getByTestId('leaderboard').innerText()).toContain(run);
    await cell.click();
    await page.getByTestId('samples-table').waitFor();
    expect(await page.getByTestId('samples-table').innerText()).toMatch(/\d+[+-]\d+=/);
    await harness.shot('evaluation');
  });

  it('deploys the model, shows live engine metrics and chats with streaming', async () => {
    const { page } = harness;
    await page.getByTestId('nav-deployments').click();
    await page.getByLabel('…or an HF model folder').fill(join(harness.home, 'models', run));
    await page.getByLabel('Name (what clients send as model)').fill('tiny-stories');
    await page.getByTestId('deploy-submit').click();
    await page.getByTestId('engine-stats').waitFor({ timeout: 120_000 });
    await page.getByTestId('nav-playground').click();
    await page.getByTestId('chat-input').fill('Lily saw');
    const lengths = new Set<number>();
    await page.getByTestId('chat-send').click();
    await until(
      async () => {
        const reply = page.getByTestId('chat-assistant');
        const content = (await reply.count()) > 0 ? await reply.innerText() : '';
        lengths.add(content.length);
        return page.getByTestId('chat-usage').count();
      },
      (count) => count > 0,
      60_000,
      'the streamed reply',
    );
    expect(await text('chat-usage')).toMatch(/completion \d+ tokens/);
    expect(lengths.size).toBeGreaterThan(2); // the reply grew in steps: it streamed
    await harness.shot('playground-chat');
    await page.getByRole('tab', { name: 'Agent' }).click();
    await page.getByTestId('agent-run').click();
    await page.getByTestId('agent-done').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('agent-steps').locator('.mantine-Badge-root').count()).toBeGreaterThan(0);
    await harness.shot('playground-agent');
    await page.getByTestId('nav-deployments').click();
    await page.getByTestId('engine-stats').waitFor();
    await page.waitForTimeout(4000); // a few seconds of metrics history for the curves
    await harness.shot('deployments');
  });

  it('shows the lineage from the data to the eval and the deployment', async () => {
    const { page } = harness;
    await page.goto(new URL(`/lineage?id=${encodeURIComponent(`run:${run}`)}`, harness.console.address).href);
    await page.getByTestId('lineage-graph').locator('canvas').waitFor();
    const body = await page.locator('main').innerText();
    expect(body).toContain('dataset:stories');
    expect(body).toMatch(/deployment:tiny-stories|eval:/);
    await harness.shot('lineage');
  });

  it('stops the deployment and the jobs page shows every job', async () => {
    const { page } = harness;
    await page.getByTestId('nav-deployments').click();
    await page.getByTestId('stop-deployment').click();
    await until(() => page.getByTestId('deployments-table').innerText(), (table) => table.toLowerCase().includes('stopped'), 30_000, 'the deployment to stop');
    await page.getByTestId('nav-jobs').click();
    const table = await page.getByTestId('jobs-table').innerText();
    for (const kind of ['ingest', 'train', 'eval', 'serve']) expect(table).toContain(kind);
    await harness.shot('jobs');
  });
});
