// Sequence: nodes run one after another, each seeing the outputs before it; the run's output, its
// step rows and its event stream are the same on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conformanceEngines,
  type EngineUnderTest,
  startEngineUnderTest,
} from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

describe.each(conformanceEngines())('sequence on $name', ({ name }) => {
  let engine: EngineUnderTest;
  beforeAll(async () => {
    engine = await startEngineUnderTest(name);
  });
  afterAll(() => engine?.close());

  it('runs nodes in order and passes outputs along', async () => {
    const definition = workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [{ name: 'name', type: 'string' }] } },
        { id: 'greet', type: 'template', config: { template: 'Hello {{start.name}}' } },
        { id: 'shout', type: 'template', config: { template: '{{greet.text}}!' } },
        { id: 'end', type: 'end', config: { outputs: { message: '{{shout.text}}' } } },
      ],
      [
        ['start', 'greet'],
        ['greet', 'shout'],
        ['shout', 'end'],
      ],
    );
    const runId = await engine.start(definition, { name: 'Ada' });
    const run = await engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.engine).toBe(name);
    expect(run.outputs).toEqual({ message: 'Hello Ada!' });

    const steps = await engine.steps(runId);
    expect(steps.map((s) => [s.nodeId, s.status]).sort()).toEqual([
      ['end', 'succeeded'],
      ['greet', 'succeeded'],
      ['shout', 'succeeded'],
      ['start', 'succeeded'],
    ]);
    const events = await engine.events(runId);
    // Gapless, ordered, bracketed by queued/started and finished.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]?.type).toBe('run_queued');
    expect(events[1]?.type).toBe('run_started');
    expect(events.at(-1)?.type).toBe('run_finished');
    const finishedNodes = events.filter((e) => e.type === 'node_finished').map((e) => e.nodeId);
    expect(finishedNodes.indexOf('greet')).toBeLessThan(finishedNodes.indexOf('shout'));
    expect(finishedNodes.indexOf('shout')).toBeLessThan(finishedNodes.indexOf('end'));
  });
});
