/**
 * The console end to end in a real browser: create a dataset, train a tiny model
 * and watch its loss curve grow, evaluate it and see its leaderboard row, train a
 * second (long-context) model from YAML and overlay both loss curves, evaluate it
 * and diff the two eval runs per sample, deploy the first and chat with streaming,
 * see the agent stop on its 256-token context with the numbers, deploy the second
 * and run the agent for real, follow the lineage, stop the deployments. One
 * sequential story; each step saves a screenshot.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { skipUnlessPresent } from '@chainlm/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentSse, chromiumPath, openHarness, screenshotsDir, storyCorpus, until, type Harness } from './browser-harness.js';


describe.skipIf(skipUnlessPresent(chromiumPath, 'the browser suite drives Chromium: apt-get install chromium, or set CHROMIUM_PATH'))('console in Chromium', () => {
  let harness: Harness;
  let run = '';
  let longRun = '';
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

  it('trains a long-context model from YAML and overlays both runs\' loss curves', async () => {
    const { page } = harness;
    const corpus = join(harness.home, 'stories.jsonl');
    writeFileSync(corpus, storyCorpus());
    await page.getByTestId('nav-training').click();
    await page.getByText('YAML', { exact: true }).click();
    // The tiny preset's shape with a 4,096-token context: room for the agent's ~1,800-token ReAct prompt.
    await page.getByLabel('chainlm-train config').fill(`preset: tiny\nmodel: { size: tiny, maxSeqLen: 4096 }\ndata: { dataset: ${corpus} }\nmaxSteps: 30\n`);
    await page.getByTestId('train-submit').click();
    await until(async () => ((await page.getByTestId('run-title').textContent()) ?? '').trim(), (title) => title !== run && title !== '', 30_000, 'the new run');
    longRun = ((await page.getByTestId('run-title').textContent()) ?? '').trim();
    const badge = async () => ((await page.getByTestId('run-status').textContent()) ?? '').trim();
    expect(await until(badge, (status) => status === 'finished' || status === 'failed', 180_000, 'run end')).toBe('finished');
    await until(() => page.getByTestId('job-log').innerText(), (log) => log.toLowerCase().includes('succeeded'), 120_000, 'export to finish');
    const config = JSON.parse(readFileSync(join(harness.home, 'models', longRun, 'config.json'), 'utf8'));
    expect(config.max_position_embeddings).toBe(4096);
    const overlay = page.getByTestId('compare-training');
    await overlay.getByTestId('compare-training-chart').locator('canvas').waitFor();
    const series = (await overlay.getByTestId('compare-training-chart').getAttribute('data-series'))!.split(',').map(Number);
    expect(series[0]).toBe(60); // A: the first run's 60 train points
    expect(series[2]).toBe(30); // B: this run's 30
    const table = await overlay.getByTestId('compare-training-table').innerText();
    expect(table).toContain(run);
    expect(table).toContain(longRun);
    await harness.shot('training-compare');
  });

  it('evaluates the second model and diffs the two eval runs per sample', async () => {
    const { page } = harness;
    await page.getByTestId('nav-evaluation').click();
    await page.getByLabel('…or a model folder / endpoint URL').fill(join(harness.home, 'models', longRun));
    await page.getByTestId('eval-submit').click();
    await until(() => page.getByTestId('leaderboard').innerText(), (board) => board.includes(longRun), 120_000, 'the second leaderboard row');
    const compare = page.getByTestId('compare-table');
    await compare.waitFor();
    expect(await compare.innerText()).toMatch(/arithmetic/);
    await compare.getByTestId('compare-row').first().click();
    const diff = page.getByTestId('sample-diff');
    await diff.getByTestId('sample-diff-table').waitFor();
    const filters = await diff.getByTestId('sample-diff-filter').innerText();
    const counts = [...filters.matchAll(/\((\d+)\)/g)].map((match) => Number(match[1]));
    expect(counts[0]).toBe(20); // all: both runs evaluated the same 20 items
    expect(counts.slice(1).reduce((sum, count) => sum + count, 0)).toBe(20); // A-only + B-only + both right + both wrong
    const rows = await diff.getByTestId('sample-diff-table').innerText();
    expect(rows).toMatch(/\d+[+-]\d+=/); // the prompt
    expect(rows).toMatch(/both wrong|both right|A right, B wrong|A wrong, B right/i); // badges are upper-cased by CSS
    await harness.shot('evaluation-compare');
  });

  it('deploys the model, shows live engine metrics and chats with streaming', async () => {
    const { page } = harness;
    await page.getByTestId('nav-deployments').click();
    await page.getByLabel('…or an HF model folder').fill(join(harness.home, 'models', run));
    await page.getByLabel('Name (what clients send as model)').fill('tiny-stories');
    await page.getByTestId('deploy-submit').click();
    await page.getByTestId('engine-stats').waitFor({ timeout: 120_000 });
    await page.getByTestId('nav-playground').click();
    // A sampled reply of a tiny model may be a token or two long; up to three tries for one long enough to see it stream.
    let lengths = new Set<number>();
    for (let attempt = 0; attempt < 3 && lengths.size <= 2; attempt += 1) {
      await page.getByRole('button', { name: 'Clear' }).click();
      lengths = new Set<number>();
      // Every rendered length of the reply, seen by a MutationObserver in the page (polling from here misses steps on a busy machine).
      await page.evaluate(() => {
        const seen: number[] = [];
        (window as unknown as { replyLengths: number[] }).replyLengths = seen;
        new MutationObserver(() => seen.push(document.querySelector('[data-testid="chat-assistant"]')?.textContent?.length ?? 0)).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await page.getByTestId('chat-input').fill('Lily saw');
      await page.getByTestId('chat-send').click();
      await until(() => page.getByTestId('chat-usage').count(), (count) => count > 0, 60_000, 'the streamed reply');
      lengths = new Set(await page.evaluate(() => (window as unknown as { replyLengths: number[] }).replyLengths));
    }
    expect(await text('chat-usage')).toMatch(/completion \d+ tokens/);
    expect(lengths.size).toBeGreaterThan(2); // the reply grew in steps: it streamed
    await harness.shot('playground-chat');
    // The 256-token model cannot take the ReAct agent's prompt (its tool instructions are long): the run stops at step 1 and says why, with the numbers.
    await page.getByRole('tab', { name: 'Agent' }).click();
    await page.getByTestId('agent-kind').click();
    await page.getByRole('option', { name: 'react' }).click();
    await page.getByTestId('agent-run').click();
    await page.getByTestId('agent-done').waitFor({ timeout: 90_000 });
    const error = await text('agent-error-step');
    expect(error).toContain('context_length_exceeded');
    expect(error).toMatch(/prompt does not fit: it has \d+ tokens, and the limit is the model's context length \(maxModelLen 256 tokens\)/);
    expect(await text('agent-context-overflow')).toMatch(/prompt \d+ tokens\s*limit 256 tokens \(maxModelLen\)/i);
    expect(await text('agent-done')).toContain('stopped: error');
    await harness.shot('playground-agent-error');
  });

  it('deploys the long-context model with two replicas and runs the agent on it; every step kind renders', async () => {
    const { page } = harness;
    const replicas = Math.min(2, availableParallelism()); // two engine worker threads behind one address (chainlm-serve --replicas 2); the form allows one per core
    await page.getByTestId('nav-deployments').click();
    await page.getByLabel('…or an HF model folder').fill(join(harness.home, 'models', longRun));
    await page.getByLabel('Name (what clients send as model)').fill('tiny-long');
    await page.getByTestId('deploy-replicas').fill(String(replicas));
    await page.getByTestId('deploy-submit').click();
    const row = page.getByTestId('deployments-table').locator('tr', { hasText: 'tiny-long' });
    await until(() => row.innerText(), (cells) => /running|failed/i.test(cells), 120_000, 'tiny-long to load');
    expect((await row.innerText()).toLowerCase()).toContain('running');
    expect(await row.getByTestId('deployment-replicas').innerText()).toBe(String(replicas));
    await page.getByTestId('nav-playground').click();
    await page.getByTestId('playground-deployment').click();
    await page.getByRole('option', { name: /tiny-long/ }).click();
    await page.getByRole('tab', { name: 'Agent' }).click();
    await page.getByTestId('agent-run').click();
    await page.getByTestId('agent-done').waitFor({ timeout: 120_000 });
    // The prompt fits now: the model's (nonsense) replies come back as steps, no context error.
    expect(await page.getByTestId('agent-context-overflow').count()).toBe(0);
    expect(await page.getByTestId('agent-steps').locator('[data-testid^="agent-step-"], [data-testid="agent-error-step"]').count()).toBeGreaterThan(0);
    expect(await text('agent-done')).toMatch(/stopped: (answer|step-limit|error)/);
    await harness.shot('playground-agent');
    // Every step kind, from real agent runs on a scripted model (a tiny model calls no tools), served in place of the route.
    await page.route('**/api/deployments/*/agent', async (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: await agentSse(route.request().postDataJSON()) }));
    await page.getByTestId('agent-run').click();
    await page.getByTestId('agent-step-answer').waitFor();
    for (const kind of ['thought', 'tool-call', 'observation', 'answer']) expect(await page.getByTestId(`agent-step-${kind}`).count()).toBeGreaterThan(0);
    expect(await text('agent-steps')).toContain('1591');
    // The ReAct text protocol renders the same step kinds.
    await page.getByTestId('agent-kind').click();
    await page.getByRole('option', { name: 'react' }).click();
    await page.getByTestId('agent-run').click();
    await page.getByTestId('agent-step-answer').filter({ hasText: '1591', hasNotText: 'The product is' }).waitFor();
    for (const kind of ['thought', 'tool-call', 'observation', 'answer']) expect(await page.getByTestId(`agent-step-${kind}`).count()).toBeGreaterThan(0);
    await page.getByTestId('agent-kind').click();
    await page.getByRole('option', { name: 'rewoo' }).click();
    await page.getByTestId('agent-run').click();
    await page.getByTestId('agent-step-plan').waitFor();
    expect(await page.getByTestId('agent-step-plan').innerText()).toContain('E1 = calculator');
    await page.unroute('**/api/deployments/*/agent');
    await page.getByTestId('nav-deployments').click();
    await page.getByTestId('deployments-table').locator('tr', { hasText: 'tiny-long' }).click();
    if (replicas > 1) {
      await page.getByTestId('engine-replicas').waitFor({ timeout: 10_000 });
      expect(await text('engine-replicas')).toContain(`replicas serving ${replicas} of ${replicas}`);
    }
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

  it('stops the deployments and the jobs page shows every job', async () => {
    const { page } = harness;
    await page.getByTestId('nav-deployments').click();
    for (let left = 2; left > 0; left -= 1) {
      await page.getByTestId('stop-deployment').first().click();
      await until(() => page.getByTestId('stop-deployment').count(), (count) => count < left, 30_000, 'a deployment to stop');
    }
    expect((await page.getByTestId('deployments-table').innerText()).toLowerCase().match(/stopped/g)).toHaveLength(2);
    await page.getByTestId('nav-jobs').click();
    const table = await page.getByTestId('jobs-table').innerText();
    for (const kind of ['ingest', 'train', 'eval', 'serve']) expect(table).toContain(kind);
    await harness.shot('jobs');
  });
});
