// Branching: a condition node follows the first case that holds (else the else branch); the nodes
// of the untaken branches, and everything reachable only from them, are journaled as skipped and
// never run, while a join after all branches still runs. The same on both engines.
import { describe, expect, it } from 'vitest';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

const cases = [
  {
    n: 20,
    branch: 'big',
    outputs: { size: '/cond/big', from: 'a', branch: 'big' },
    ran: ['bigCall', 'bigText'],
    skipped: ['midText', 'smallText', 'smallMore', 'smallCall'],
  },
  {
    n: 7,
    branch: 'mid',
    outputs: { size: 'mid', from: 'b', branch: 'mid' },
    ran: ['midText'],
    skipped: ['bigCall', 'bigText', 'smallText', 'smallMore', 'smallCall'],
  },
  {
    n: 1,
    branch: 'else',
    outputs: { size: 'small!', from: 'c', branch: 'else' },
    ran: ['smallText', 'smallMore', 'smallCall'],
    skipped: ['bigCall', 'bigText', 'midText'],
  },
];

describe.each(conformanceEngines())('condition and skip on $name', ({ name }) => {
  const suite = engineSuite(name);

  // if n > 10 → big: bigCall (http) → bigText; else if n > 5 → mid: midText;
  // else: smallText → smallMore, and smallText → smallCall (http, a dead end);
  // all three branches meet in a join 'first' before the end.
  const definition = () =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [{ name: 'n', type: 'number' }] } },
        {
          id: 'check',
          type: 'condition',
          config: {
            cases: [
              { id: 'big', logic: 'and', conditions: [{ left: '{{start.n}}', operator: 'gt', right: 10 }] },
              { id: 'mid', logic: 'and', conditions: [{ left: '{{start.n}}', operator: 'gt', right: 5 }] },
            ],
          },
        },
        { id: 'bigCall', type: 'http', config: { method: 'GET', url: `${suite.api.url}/cond/big` } },
        { id: 'bigText', type: 'template', config: { template: '{{bigCall.body.path}}' } },
        { id: 'midText', type: 'template', config: { template: 'mid' } },
        { id: 'smallText', type: 'template', config: { template: 'small' } },
        { id: 'smallMore', type: 'template', config: { template: '{{smallText.text}}!' } },
        { id: 'smallCall', type: 'http', config: { method: 'GET', url: `${suite.api.url}/cond/small` } },
        {
          id: 'pick',
          type: 'join',
          config: {
            mode: 'first',
            values: { a: '{{bigText.text}}', b: '{{midText.text}}', c: '{{smallMore.text}}' },
          },
        },
        {
          id: 'end',
          type: 'end',
          config: { outputs: { size: '{{pick.value}}', from: '{{pick.from}}', branch: '{{check.branch}}' } },
        },
      ],
      [
        ['start', 'check'],
        ['check', 'bigCall', 'big'],
        ['bigCall', 'bigText'],
        ['check', 'midText', 'mid'],
        ['check', 'smallText', 'else'],
        ['smallText', 'smallMore'],
        ['smallText', 'smallCall'],
        ['bigText', 'pick'],
        ['midText', 'pick'],
        ['smallMore', 'pick'],
        ['pick', 'end'],
      ],
    );

  it.each(cases)(
    'n = $n takes the $branch branch and skips the others',
    async ({ n, branch, outputs, ran, skipped }) => {
      const hitsBefore = { big: suite.api.counts('/cond/big'), small: suite.api.counts('/cond/small') };
      const runId = await suite.engine.start(definition(), { n });
      const run = await suite.engine.waitFor(runId);
      expect(run.status).toBe('succeeded');
      expect(run.outputs).toEqual(outputs);

      // Side effects only on the taken branch.
      expect(suite.api.counts('/cond/big') - hitsBefore.big).toBe(branch === 'big' ? 1 : 0);
      expect(suite.api.counts('/cond/small') - hitsBefore.small).toBe(branch === 'else' ? 1 : 0);

      // Nodes that ran have an attempt row; skipped ones only their plain row, status skipped.
      const steps = await suite.engine.steps(runId);
      const rows = Object.fromEntries(steps.map((s) => [s.stepKey, s.status]));
      const expected: Record<string, string> = {
        start: 'succeeded',
        'check#1': 'succeeded',
        'pick#1': 'succeeded',
        'end#1': 'succeeded',
      };
      for (const id of ran) expected[`${id}#1`] = 'succeeded';
      for (const id of skipped) expected[id] = 'skipped';
      expect(rows).toEqual(expected);
      for (const id of skipped) {
        expect(steps.filter((s) => s.nodeId === id)).toEqual([
          expect.objectContaining({ stepKey: id, status: 'skipped', attempt: 1, output: null, error: null }),
        ]);
      }
      expect(steps.find((s) => s.stepKey === 'check#1')?.output).toEqual({ branch });

      const events = await suite.engine.events(runId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const skippedEvents = events.filter((e) => e.type === 'node_skipped');
      expect(skippedEvents.map((e) => e.nodeId).sort()).toEqual([...skipped].sort());
      for (const e of skippedEvents)
        expect(e.data).toMatchObject({ nodeId: e.nodeId, stepKey: e.nodeId, status: 'skipped' });
      // A skipped node never starts.
      const startedOrFinished = events
        .filter((e) => e.type === 'node_started' || e.type === 'node_finished' || e.type === 'node_retry')
        .map((e) => e.nodeId);
      for (const id of skipped) expect(startedOrFinished).not.toContain(id);
      // The join after the branches runs once every branch has either finished or been skipped.
      const index = (type: string, nodeId: string) =>
        events.findIndex((e) => e.type === type && e.nodeId === nodeId);
      const pickFinished = index('node_finished', 'pick');
      expect(pickFinished).toBeGreaterThan(0);
      for (const id of skipped.filter((s) => s !== 'smallCall'))
        expect(index('node_skipped', id)).toBeLessThan(pickFinished);
      expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'succeeded' } });
    },
  );
});
