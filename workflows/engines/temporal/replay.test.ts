// Replays the histories recorded from a real Temporal server (histories/*.json, written by
// tests/conformance/replay-histories.conf.ts) against the current workflow code. A change that
// makes the interpreter issue different commands for the same history — other step keys, calls
// in another order, a timer where an activity was — fails here, without a server.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from './worker';

const HISTORIES_DIR = fileURLToPath(new URL('./histories', import.meta.url));
const files = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of recorded Temporal histories', () => {
  let workflowBundle: { code: string };
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    workflowBundle = await bundleWorkflows();
  }, 60_000);

  it('has fixtures for every kind of durable call', () => {
    const text = files.map((f) => readFileSync(path.join(HISTORIES_DIR, f), 'utf8')).join('\n');
    for (const kind of [
      'EVENT_TYPE_ACTIVITY_TASK_COMPLETED',
      'EVENT_TYPE_MARKER_RECORDED',
      'EVENT_TYPE_TIMER_FIRED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    ])
      expect(text).toContain(kind);
  });

  it.each(files)(
    '%s replays without a determinism violation',
    async (file) => {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));
      const results = [];
      for await (const result of Worker.runReplayHistories({ workflowBundle }, [
        { workflowId: file.replace(/\.json$/, ''), history },
      ]))
        results.push(result);
      expect(results).toHaveLength(1);
      expect(results[0]?.error).toBeUndefined();
    },
    30_000,
  );
});
