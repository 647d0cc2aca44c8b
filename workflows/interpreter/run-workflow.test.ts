// Interpreter semantics against the in-memory Durable: scheduling, branching and skips, loops,
// retries and error handling, cancellation, references and human review.
import { describe, expect, it } from 'vitest';
import { createMemoryDurable, type MemoryDurableOptions } from '@/tests/support/memory-durable';
import type {
  ErrorHandling,
  WorkflowDefinition,
  WorkflowEdge,
  WorkflowNode,
} from '@/workflows/dsl/definition';
import { type Json, type NodeCatalog, runWorkflow, StepError } from '@/workflows/interpreter';

const catalog: NodeCatalog = {
  start: { execution: 'start' },
  task: { execution: 'activity' },
  slow: { execution: 'activity' },
  flaky: { execution: 'activity' },
  condition: { execution: 'activity', branching: true },
  end: { execution: 'activity', terminal: true },
  loop: { execution: 'loop' },
  delay: { execution: 'delay' },
  review: { execution: 'human-review' },
};

/** Lets other promises run, so concurrent activities really overlap. */
const pause = (ms = 2) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const echo = (config: Json) => config;

const baseActivities: MemoryDurableOptions['activities'] = {
  task: echo,
  end: echo,
  slow: async (config) => {
    await pause(5);
    return config;
  },
  condition: (config) => ({ branch: (config as { branch: string }).branch }),
};

function node(
  id: string,
  type: string,
  config: Record<string, unknown> = {},
  extra: { parentId?: string; error?: Partial<ErrorHandling> } = {},
): WorkflowNode {
  const { error, ...rest } = extra;
  return {
    id,
    type,
    title: id,
    config,
    position: { x: 0, y: 0 },
    ...rest,
    ...(error ? { error: { onError: 'fail', ...error } } : {}),
  };
}

function edge(source: string, target: string, sourceHandle: string | null = null): WorkflowEdge {
  return {
    id: `${source}-${sourceHandle ?? 'out'}-${target}`,
    source,
    sourceHandle,
    target,
    targetHandle: null,
  };
}

function chain(...ids: string[]): WorkflowEdge[] {
  return ids.slice(1).map((id, i) => edge(ids[i] ?? '', id));
}

function definition(nodes: WorkflowNode[], edges: WorkflowEdge[]): WorkflowDefinition {
  return { schemaVersion: 1, nodes, edges };
}

function setup(
  def: WorkflowDefinition,
  options: MemoryDurableOptions = {},
  inputs: Record<string, Json> = {},
) {
  const memory = createMemoryDurable({
    ...options,
    activities: { ...baseActivities, ...options.activities },
  });
  const run = () => runWorkflow({ definition: def, inputs, catalog, durable: memory.durable });
  return { memory, run };
}

function failure(code: string, retryable: boolean): StepError {
  return new StepError({ message: `failed: ${code}`, code, retryable });
}

describe('runWorkflow: scheduling', () => {
  it('runs a sequence in order and returns the terminal outputs', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('a', 'task', { v: '{{start.x}}' }),
        node('b', 'task', { v: '{{a.v}}' }),
        node('end', 'end', { result: '{{b.v}}' }),
      ],
      chain('start', 'a', 'b', 'end'),
    );
    const { memory, run } = setup(def, {}, { x: 7 });
    const outcome = await run();
    expect(outcome).toEqual({ status: 'succeeded', outputs: { result: 7 } });
    expect(memory.calls).toEqual(['start', 'a#1', 'b#1', 'end#1']);
    expect(memory.records.get('start')).toEqual({
      nodeId: 'start',
      nodeType: 'start',
      status: 'succeeded',
      output: { x: 7 },
    });
  });

  it('runs parallel branches concurrently and joins them once', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('left', 'slow', { side: 'L' }),
        node('right', 'slow', { side: 'R' }),
        node('join', 'end', { both: ['{{left.side}}', '{{right.side}}'] }),
      ],
      [edge('start', 'left'), edge('start', 'right'), edge('left', 'join'), edge('right', 'join')],
    );
    const { memory, run } = setup(def);
    const outcome = await run();
    expect(memory.maxInFlight('slow')).toBe(2);
    expect(memory.calls.filter((k) => k.startsWith('join'))).toEqual(['join#1']);
    expect(outcome.outputs).toEqual({ both: ['L', 'R'] });
  });

  it('follows if / else-if / else and propagates skips down the untaken chains', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('cond', 'condition', { branch: 'elif' }),
        node('if1', 'task'),
        node('if2', 'task'),
        node('if3', 'task'),
        node('elif', 'task', { chosen: 'elif' }),
        node('else', 'task'),
        node('end', 'end', { chosen: '{{elif.chosen}}', skipped: '{{if3}}' }),
      ],
      [
        edge('start', 'cond'),
        edge('cond', 'if1', 'if'),
        ...chain('if1', 'if2', 'if3'),
        edge('cond', 'elif', 'elif'),
        edge('cond', 'else', 'else'),
        edge('if3', 'end'),
        edge('elif', 'end'),
        edge('else', 'end'),
      ],
    );
    const { memory, run } = setup(def);
    const outcome = await run();
    expect(outcome).toEqual({ status: 'succeeded', outputs: { chosen: 'elif', skipped: null } });
    for (const id of ['if1', 'if2', 'if3', 'else']) {
      expect(memory.records.get(id)).toEqual({ nodeId: id, nodeType: 'task', status: 'skipped' });
      expect(memory.calls).not.toContain(`${id}#1`);
    }
    expect(memory.calls).toContain('elif#1');
  });

  it('skips a join whose every incoming edge was not taken', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('cond', 'condition', { branch: 'other' }),
        node('a', 'task'),
        node('b', 'task'),
        node('join', 'task'),
      ],
      [
        edge('start', 'cond'),
        edge('cond', 'a', 'x'),
        edge('cond', 'b', 'y'),
        edge('a', 'join'),
        edge('b', 'join'),
      ],
    );
    const { memory, run } = setup(def);
    expect((await run()).status).toBe('succeeded');
    expect(memory.records.get('join')?.status).toBe('skipped');
  });

  it('sleeps for a delay node and records it', async () => {
    const def = definition(
      [node('start', 'start'), node('wait', 'delay', { ms: '{{start.ms}}' })],
      chain('start', 'wait'),
    );
    const { memory, run } = setup(def, {}, { ms: 1500 });
    await run();
    expect(memory.sleeps).toEqual([{ key: 'wait', ms: 1500 }]);
    expect(memory.records.get('wait')?.output).toEqual({ sleptMs: 1500 });
  });
});

describe('runWorkflow: loops', () => {
  it('runs nested for-each loops with scoped step keys and results', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('outer', 'loop', { items: '{{start.groups}}' }),
        node('inner', 'loop', { items: '{{outer.item}}', output: '{{double.value}}' }, { parentId: 'outer' }),
        node(
          'double',
          'task',
          { value: '{{inner.item}}', outerIndex: '{{outer.index}}', innerIndex: '{{inner.index}}' },
          { parentId: 'inner' },
        ),
        node('end', 'end', { results: '{{outer.results}}', count: '{{outer.count}}' }),
      ],
      chain('start', 'outer', 'end'),
    );
    const { memory, run } = setup(def, {}, { groups: [[1, 2], [3]] });
    const outcome = await run();
    expect(outcome).toEqual({
      status: 'succeeded',
      outputs: {
        results: [{ inner: { results: [1, 2], count: 2 } }, { inner: { results: [3], count: 1 } }],
        count: 2,
      },
    });
    expect(memory.calls).toContain('outer[1]/inner[0]/double#1');
    expect(memory.activityRequests.get('outer[1]/inner[0]/double#1')?.request.config).toEqual({
      value: 3,
      outerIndex: 1,
      innerIndex: 0,
    });
    expect(memory.records.get('outer')?.input).toEqual({ count: 2 });
    expect(memory.records.get('outer[0]/inner')?.output).toEqual({ results: [1, 2], count: 2 });
  });

  it('honours the for-each concurrency limit', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('each', 'loop', { items: [1, 2, 3, 4, 5, 6], concurrency: 2, output: '{{work.n}}' }),
        node('work', 'slow', { n: '{{each.item}}' }, { parentId: 'each' }),
      ],
      chain('start', 'each'),
    );
    const { memory, run } = setup(def);
    expect((await run()).status).toBe('succeeded');
    expect(memory.maxInFlight('slow')).toBe(2);
    expect(memory.records.get('each')?.output).toEqual({ results: [1, 2, 3, 4, 5, 6], count: 6 });
  });

  it('stops a while loop at maxIterations', async () => {
    const always = { logic: 'and', conditions: [{ left: '{{w.index}}', operator: 'gte', right: 0 }] };
    const def = definition(
      [
        node('start', 'start'),
        node('w', 'loop', { mode: 'while', condition: always, maxIterations: 3 }),
        node('step', 'task', { index: '{{w.index}}', previous: '{{w.previous}}' }, { parentId: 'w' }),
      ],
      chain('start', 'w'),
    );
    const { memory, run } = setup(def);
    await run();
    const output = memory.records.get('w')?.output as { results: Json[]; count: number };
    expect(output.count).toBe(3);
    expect(output.results[0]).toEqual({ step: { index: 0, previous: null } });
    expect(output.results[1]).toEqual({
      step: { index: 1, previous: { step: { index: 0, previous: null } } },
    });
  });

  it('stops a while loop when its condition turns false', async () => {
    // `previous` is null before the first iteration, which lt cannot order: the index covers it.
    const condition = {
      logic: 'or',
      conditions: [
        { left: '{{w.index}}', operator: 'eq', right: 0 },
        { left: '{{w.previous}}', operator: 'lt', right: 2 },
      ],
    };
    const def = definition(
      [
        node('start', 'start'),
        node('w', 'loop', { mode: 'while', condition, maxIterations: 50, output: '{{step.n}}' }),
        node('step', 'task', { n: '{{w.index}}' }, { parentId: 'w' }),
      ],
      chain('start', 'w'),
    );
    const { memory, run } = setup(def);
    await run();
    expect(memory.records.get('w')?.output).toEqual({ results: [0, 1, 2], count: 3 });
    expect(memory.calls).not.toContain('w[3]/step#1');
  });

  it('fails the loop when items is not an array', async () => {
    const def = definition(
      [node('start', 'start'), node('each', 'loop', { items: '{{start.n}}' })],
      chain('start', 'each'),
    );
    const { run } = setup(def, {}, { n: 3 });
    const outcome = await run();
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'invalid_items', nodeId: 'each' });
  });

  it('fails the loop when an iteration fails and starts no further iterations', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('each', 'loop', { items: [1, 2, 3, 4] }),
        node('work', 'flaky', { n: '{{each.item}}' }, { parentId: 'each' }),
        node('after', 'task'),
      ],
      chain('start', 'each', 'after'),
    );
    const { memory, run } = setup(def, {
      activities: {
        flaky: (config) => {
          if ((config as { n: number }).n === 2) throw failure('boom', false);
          return config;
        },
      },
    });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'boom', nodeId: 'each' } });
    expect(memory.records.get('each')).toMatchObject({ status: 'failed', input: { count: 4 } });
    expect(memory.records.get('each[1]/work')?.status).toBe('failed');
    expect(memory.calls).not.toContain('each[2]/work#1');
    expect(memory.calls).not.toContain('after#1');
  });
});

describe('runWorkflow: errors', () => {
  const retry = { maxAttempts: 5, initialMs: 100, multiplier: 2, maxMs: 400 };

  function flakyDefinition(error: Partial<ErrorHandling>, extraNodes: WorkflowNode[] = []) {
    return definition(
      [
        node('start', 'start'),
        node('a', 'flaky', {}, { error }),
        node('b', 'task', { v: '{{a}}' }),
        ...extraNodes,
      ],
      chain('start', 'a', 'b'),
    );
  }

  it('retries retryable failures with capped exponential backoff, then succeeds', async () => {
    const { memory, run } = setup(flakyDefinition({ retry }), {
      activities: {
        flaky: (_config, attempt) => {
          if (attempt < 5) throw failure('http_status', true);
          return 'ok';
        },
      },
    });
    expect((await run()).status).toBe('succeeded');
    expect(memory.sleeps).toEqual([
      { key: 'a#1/backoff', ms: 100 },
      { key: 'a#2/backoff', ms: 200 },
      { key: 'a#3/backoff', ms: 400 },
      { key: 'a#4/backoff', ms: 400 },
    ]);
    expect(memory.activityRequests.get('b#1')?.request.config).toEqual({ v: 'ok' });
  });

  it('waits at least as long as a Retry-After asks, and uses the type default policy', async () => {
    const { memory, run } = setup(flakyDefinition({}), {
      activities: {
        flaky: (_config, attempt) => {
          if (attempt === 1)
            throw new StepError({
              message: '429',
              code: 'llm_rate_limited',
              retryable: true,
              retryAfterMs: 5000,
            });
          return 'ok';
        },
      },
    });
    catalog.flaky = { execution: 'activity', defaultRetry: retry };
    try {
      expect((await run()).status).toBe('succeeded');
    } finally {
      catalog.flaky = { execution: 'activity' };
    }
    expect(memory.sleeps).toEqual([{ key: 'a#1/backoff', ms: 5000 }]);
  });

  it('fails the run when retries are exhausted', async () => {
    const { memory, run } = setup(flakyDefinition({ retry: { ...retry, maxAttempts: 3 } }), {
      activities: {
        flaky: () => {
          throw failure('http_status', true);
        },
      },
    });
    const outcome = await run();
    expect(outcome).toEqual({
      status: 'failed',
      outputs: {},
      error: { message: 'failed: http_status', code: 'http_status', retryable: true, nodeId: 'a' },
    });
    expect(memory.calls.filter((k) => k.startsWith('a#'))).toEqual([
      'a#1',
      'a#1/backoff',
      'a#2',
      'a#2/backoff',
      'a#3',
    ]);
    expect(memory.records.get('a')).toMatchObject({ status: 'failed', error: { code: 'http_status' } });
    expect(memory.calls).not.toContain('b#1');
  });

  it('does not retry non-retryable failures or plain exceptions', async () => {
    const { memory, run } = setup(flakyDefinition({ retry }), {
      activities: {
        flaky: () => {
          throw new Error('bug');
        },
      },
    });
    const outcome = await run();
    expect(outcome.error).toMatchObject({ code: 'node_error', message: 'bug', retryable: false });
    expect(memory.calls.filter((k) => k.startsWith('a#'))).toEqual(['a#1']);
  });

  it('retries timeouts and passes the timeout to the engine', async () => {
    const { memory, run } = setup(flakyDefinition({ retry, timeoutMs: 250 }), {
      activities: {
        flaky: (_config, attempt) => {
          // Flagged non-retryable on purpose: a timeout is retried whatever the flag says.
          if (attempt === 1) throw failure('timeout', false);
          return 'late';
        },
      },
    });
    expect((await run()).status).toBe('succeeded');
    expect(memory.calls.filter((k) => k.startsWith('a#'))).toEqual(['a#1', 'a#1/backoff', 'a#2']);
    expect(memory.activityRequests.get('a#2')?.options).toEqual({ timeoutMs: 250 });
  });

  it('stops starting nodes after an unhandled failure but lets in-flight ones settle', async () => {
    const def = definition(
      [node('start', 'start'), node('a', 'flaky'), node('side', 'slow'), node('afterSide', 'task')],
      [edge('start', 'a'), edge('start', 'side'), edge('side', 'afterSide')],
    );
    let sideFinished = false;
    const { memory, run } = setup(def, {
      activities: {
        flaky: () => {
          throw failure('boom', false);
        },
        slow: async () => {
          await pause(5);
          sideFinished = true;
          return null;
        },
      },
    });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'boom', nodeId: 'a' } });
    expect(sideFinished).toBe(true);
    expect(memory.calls).not.toContain('afterSide#1');
  });

  it('continues with the default value and reports a partial success', async () => {
    const def = flakyDefinition({ onError: 'default-value', defaultValue: { text: 'fallback' } });
    const { memory, run } = setup(def, {
      activities: {
        flaky: () => {
          throw failure('node_error', false);
        },
      },
    });
    expect((await run()).status).toBe('partially_succeeded');
    expect(memory.records.get('a')).toMatchObject({
      status: 'succeeded',
      output: { text: 'fallback' },
      error: { code: 'node_error' },
    });
    expect(memory.activityRequests.get('b#1')?.request.config).toEqual({ v: { text: 'fallback' } });
  });

  it('follows only the error handle on error-branch', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('a', 'flaky', {}, { error: { onError: 'error-branch' } }),
        node('ok', 'task'),
        node('handler', 'end', { reason: '{{a.error.message}}', code: '{{a.error.code}}' }),
      ],
      [edge('start', 'a'), edge('a', 'ok'), edge('a', 'handler', 'error')],
    );
    const { memory, run } = setup(def, {
      activities: {
        flaky: () => {
          throw failure('http_status', false);
        },
      },
    });
    const outcome = await run();
    expect(outcome).toEqual({
      status: 'partially_succeeded',
      outputs: { reason: 'failed: http_status', code: 'http_status' },
    });
    expect(memory.records.get('ok')?.status).toBe('skipped');
  });
});

describe('runWorkflow: cancellation and references', () => {
  it('returns cancelled and never calls later nodes', async () => {
    const def = definition(
      [node('start', 'start'), node('a', 'slow'), node('side', 'slow'), node('b', 'task')],
      [edge('start', 'a'), edge('start', 'side'), edge('a', 'b')],
    );
    let cancel = () => {};
    const { memory, run } = setup(def, {
      activities: {
        slow: async () => {
          cancel();
          await pause(5);
          return null;
        },
      },
    });
    cancel = () => memory.cancel();
    expect(await run()).toEqual({ status: 'cancelled', outputs: {} });
    expect(memory.calls).not.toContain('b#1');
  });

  it('keeps reference types and interpolates mixed strings', async () => {
    const def = definition(
      [
        node('start', 'start'),
        node('a', 'task', {
          n: '{{start.n}}',
          obj: '{{start.obj}}',
          first: '{{start.obj.list.0}}',
          text: 'n={{start.n}}',
        }),
      ],
      chain('start', 'a'),
    );
    const { memory, run } = setup(def, {}, { n: 42, obj: { list: [1, 2] } });
    await run();
    expect(memory.activityRequests.get('a#1')?.request.config).toStrictEqual({
      n: 42,
      obj: { list: [1, 2] },
      first: 1,
      text: 'n=42',
    });
  });
});

describe('runWorkflow: human review', () => {
  const def = definition(
    [
      node('start', 'start'),
      node('review', 'review', { data: '{{start.doc}}', deadlineMs: 60_000 }),
      node('approved', 'end', { kind: 'approved', data: '{{review.data}}' }),
      node('rejected', 'end', { kind: 'rejected', comment: '{{review.comment}}' }),
      node('timedOut', 'end', { kind: 'timeout' }),
    ],
    [
      edge('start', 'review'),
      edge('review', 'approved', 'approved'),
      edge('review', 'rejected', 'rejected'),
      edge('review', 'timedOut', 'timeout'),
    ],
  );

  async function review(payload: Json | undefined) {
    const { memory, run } = setup(
      def,
      { timeoutSignals: payload === undefined },
      { doc: { title: 'Draft' } },
    );
    const running = run();
    if (payload !== undefined) {
      await memory.waitFor('review:review');
      memory.signal('review:review', payload);
    }
    return { outcome: await running, memory };
  }

  it('approves with the original data', async () => {
    const { outcome, memory } = await review({ decision: 'approve', reviewer: 'ann' });
    expect(outcome.outputs).toEqual({ kind: 'approved', data: { title: 'Draft' } });
    expect(memory.calls).toContain('review#request');
    expect(memory.activityRequests.get('review#request')?.request).toMatchObject({
      nodeType: 'human-review.request',
      config: { data: { title: 'Draft' }, deadlineMs: 60_000 },
    });
    expect(memory.records.get('review')).toMatchObject({
      status: 'succeeded',
      output: { decision: 'approve', data: { title: 'Draft' }, comment: '', reviewer: 'ann' },
      input: { decision: 'approve', reviewer: 'ann' },
    });
    expect(memory.records.get('rejected')?.status).toBe('skipped');
  });

  it('rejects', async () => {
    const { outcome } = await review({ decision: 'reject', comment: 'no' });
    expect(outcome.outputs).toEqual({ kind: 'rejected', comment: 'no' });
  });

  it('approves edited data on edit', async () => {
    const { outcome } = await review({ decision: 'edit', data: { title: 'Final' } });
    expect(outcome.outputs).toEqual({ kind: 'approved', data: { title: 'Final' } });
  });

  it('follows the timeout handle when the deadline passes', async () => {
    const { outcome, memory } = await review(undefined);
    expect(outcome.outputs).toEqual({ kind: 'timeout' });
    expect(memory.records.get('review')?.output).toEqual({
      decision: 'timeout',
      data: { title: 'Draft' },
      fields: {},
      comment: '',
      reviewer: '',
    });
  });

  it('follows a custom action to its own handle and outputs the edited fields', async () => {
    const withFields = definition(
      [
        node('start', 'start'),
        node('review', 'review', {
          data: '{{start.doc}}',
          fields: [
            { name: 'title', type: 'text', value: 'Draft' },
            { name: 'score', type: 'number', value: 1 },
          ],
          actions: [{ id: 'escalate', label: 'Escalate' }],
        }),
        node('approved', 'end', { kind: 'approved', title: '{{review.fields.title}}' }),
        node('rejected', 'end', { kind: 'rejected' }),
        node('escalated', 'end', {
          kind: 'escalated',
          score: '{{review.fields.score}}',
          by: '{{review.decision}}',
        }),
      ],
      [
        edge('start', 'review'),
        edge('review', 'approved', 'approved'),
        edge('review', 'rejected', 'rejected'),
        edge('review', 'escalated', 'escalate'),
      ],
    );
    const decide = async (payload: Json) => {
      const { memory, run } = setup(withFields, {}, { doc: 'x' });
      const running = run();
      await memory.waitFor('review:review');
      memory.signal('review:review', payload);
      return { outcome: await running, memory };
    };
    const escalated = await decide({
      decision: 'action',
      action: 'escalate',
      fields: { score: 5, other: 1 },
    });
    expect(escalated.outcome.outputs).toEqual({ kind: 'escalated', score: 5, by: 'escalate' });
    expect(escalated.memory.records.get('review')?.output).toMatchObject({
      fields: { title: 'Draft', score: 5 },
    });
    const approved = await decide({ decision: 'approve', fields: { title: 'Final' } });
    expect(approved.outcome.outputs).toEqual({ kind: 'approved', title: 'Final' });
    // An action the node does not have fails the step.
    const unknown = await decide({ decision: 'action', action: 'archive' });
    expect(unknown.outcome.status).toBe('failed');
  });

  it('waits per iteration on a scoped signal inside a loop, and cancels while waiting', async () => {
    const loopDef = definition(
      [
        node('start', 'start'),
        node('each', 'loop', { items: ['x'] }),
        node('check', 'review', { data: '{{each.item}}' }, { parentId: 'each' }),
        node('after', 'task'),
      ],
      chain('start', 'each', 'after'),
    );
    const { memory, run } = setup(loopDef);
    const running = run();
    await memory.waitFor('review:each[0]/check');
    memory.cancel();
    expect(await running).toEqual({ status: 'cancelled', outputs: {} });
    expect(memory.calls).not.toContain('after#1');
  });
});
