// Histories recorded by an earlier version of the pipeline workflows (a passing tree with its kbuild and
// tests, a failing build, a job past its timeout, a tree past its timeout with cancelled jobs, a broken
// git URL, a trigger run) must still replay against the current workflow code: a change that would break
// histories in flight fails here and needs `patched()`. Recorded from a run of this project's own pipeline
// tests (`handle.fetchHistory()`, protobuf-encoded: the SDK's JSON history loader fails with the two
// protobufjs copies this dependency tree holds); see README "Testing".
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../support/harness';

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.history.bin'));
const load = (file: string) => temporal.api.history.v1.History.decode(fs.readFileSync(path.join(DIR, file)));

describe('histories recorded by earlier workflow code', () => {
  it('cover the checkout, job and trigger workflows', () => {
    const types = new Set(
      files.map((f) => load(f).events[0].workflowExecutionStartedEventAttributes?.workflowType?.name),
    );
    expect([...types].sort()).toEqual(['checkoutWorkflow', 'jobWorkflow', 'triggerWorkflow']);
  });

  it.each(files)('%s replays against the current workflows', async (file) => {
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: testEnv().workflowBundlePath } },
        load(file),
        path.basename(file, '.history.bin'),
      ),
    ).resolves.toBeUndefined();
  });
});
