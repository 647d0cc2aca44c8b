// The definition validator: one test per kind of problem, all problems at once, and the starters.
import { describe, expect, it } from 'vitest';
import { starterDefinition } from '@/workflows/dsl/definition';
import { type Problem, validateDefinition } from '@/workflows/dsl/validate';
import { nodeCatalog } from '@/workflows/nodes';

type Extra = { parentId?: string; error?: { onError: 'fail' | 'default-value' | 'error-branch' } };

function node(id: string, type: string, config: Record<string, unknown> = {}, extra: Extra = {}) {
  return { id, type, title: id, config, position: { x: 0, y: 0 }, ...extra };
}

function edge(
  source: string,
  target: string,
  sourceHandle: string | null = null,
  targetHandle: string | null = null,
) {
  return { id: `${source}_${target}_${sourceHandle ?? 'out'}`, source, sourceHandle, target, targetHandle };
}

function def(nodes: ReturnType<typeof node>[], edges: ReturnType<typeof edge>[]) {
  return { schemaVersion: 1, nodes, edges };
}

const start = (inputs: Record<string, unknown>[] = []) => node('start', 'start', { inputs });
const end = (outputs: Record<string, unknown> = {}) => node('end', 'end', { outputs });
const validate = (input: unknown) => validateDefinition(input, nodeCatalog);
const only = (problems: Problem[], code: string) => problems.filter((p) => p.code === code);

describe('validateDefinition', () => {
  it('accepts the starter definitions', () => {
    for (const kind of ['chat', 'workflow'] as const) {
      const result = validate(starterDefinition(kind));
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
    }
  });

  it('returns the definition with defaults filled into node configs', () => {
    const result = validate(
      def(
        [start(), node('h', 'http', { url: 'https://example.com' }), end()],
        [edge('start', 'h'), edge('h', 'end')],
      ),
    );
    expect(result.ok).toBe(true);
    expect(result.definition?.nodes[1]?.config).toMatchObject({
      method: 'GET',
      timeoutMs: 30_000,
      headers: {},
    });
  });

  it('accepts a workflow using loops, branches and references correctly', () => {
    const result = validate(
      def(
        [
          start([{ name: 'topic', type: 'string' }]),
          node('fetch', 'http', { url: 'https://api.example.com/search?q={{start.topic}}' }),
          node('each', 'loop', { mode: 'for-each', items: '{{fetch.body}}', output: '{{summary.text}}' }),
          node(
            'summary',
            'template',
            { template: '{{each.item}} #{{each.index}} {{start.topic}} {{fetch.status}}' },
            { parentId: 'each' },
          ),
          node('check', 'condition', {
            cases: [{ id: 'many', conditions: [{ left: '{{each.count}}', operator: 'gt', right: 3 }] }],
          }),
          node('wait', 'delay', { ms: '{{each.count}}' }),
          end({ results: '{{each.results}}', first: '{{fetch.body.0}}' }),
        ],
        [
          edge('start', 'fetch'),
          edge('fetch', 'each'),
          edge('each', 'check'),
          edge('check', 'wait', 'many'),
          edge('check', 'end', 'else'),
          edge('wait', 'end'),
        ],
      ),
    );
    expect(result.problems).toEqual([]);
  });

  it('reports shape errors with the zod path and still checks the rest', () => {
    const result = validate({
      schemaVersion: 1,
      nodes: [start(), end(), { id: 'broken', type: 'template', title: 'x', config: {} }, node('x', 'nope')],
      edges: [edge('start', 'end'), edge('start', 'broken')],
    });
    expect(result.ok).toBe(false);
    expect(result.definition).toBeUndefined();
    const shape = only(result.problems, 'invalid_shape');
    expect(shape).toEqual([
      {
        code: 'invalid_shape',
        message: 'nodes.2.position is required',
        path: ['nodes', 2, 'position'],
        nodeId: 'broken',
      },
    ]);
    // The graph of what did parse is checked too; the broken node is not reported as missing.
    expect(result.problems.map((p) => p.code)).toEqual(['invalid_shape', 'unknown_node_type']);
  });

  it('reports a missing start node', () => {
    const result = validate(def([end()], []));
    expect(only(result.problems, 'missing_start')).toHaveLength(1);
    expect(result.ok).toBe(false);
  });

  it('reports a second start node and a start node inside a loop', () => {
    const result = validate(
      def(
        [
          start(),
          node('start2', 'start'),
          node('l', 'loop', { mode: 'for-each', items: [] }),
          node('inner', 'start', {}, { parentId: 'l' }),
          end(),
        ],
        [edge('start', 'l'), edge('l', 'end'), edge('start2', 'end')],
      ),
    );
    expect(only(result.problems, 'multiple_start').map((p) => p.nodeId)).toEqual(['start2']);
    expect(only(result.problems, 'misplaced_start').map((p) => p.nodeId)).toEqual(['inner']);
  });

  it('reports a workflow without a terminal node at the top level', () => {
    const result = validate(
      def(
        [
          start(),
          node('l', 'loop', { mode: 'for-each', items: [] }),
          node('e', 'end', {}, { parentId: 'l' }),
        ],
        [edge('start', 'l')],
      ),
    );
    const problems = only(result.problems, 'missing_terminal');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain('end or answer');
  });

  it('reports unknown node types', () => {
    const result = validate(
      def([start(), node('x', 'teleport'), end()], [edge('start', 'x'), edge('x', 'end')]),
    );
    expect(result.problems).toEqual([
      {
        code: 'unknown_node_type',
        message: 'unknown node type "teleport"',
        nodeId: 'x',
        path: ['nodes', 1, 'type'],
      },
    ]);
  });

  it('reports invalid configs field by field', () => {
    const result = validate(
      def(
        [
          start(),
          node('h', 'http', { method: 'FETCH' }),
          node('l', 'loop', { mode: 'for-each', items: [], concurrency: 500 }),
          end(),
        ],
        [edge('start', 'h'), edge('h', 'l'), edge('l', 'end')],
      ),
    );
    const problems = only(result.problems, 'invalid_config');
    expect(problems.map((p) => [p.nodeId, p.path])).toEqual([
      ['h', ['nodes', 1, 'config', 'method']],
      ['h', ['nodes', 1, 'config', 'url']],
      ['l', ['nodes', 2, 'config', 'concurrency']],
    ]);
    expect(problems[1]?.message).toBe('url is required');
    expect(problems[0]?.message).toMatch(/^method: /);
    expect(problems[2]?.message).toMatch(/^concurrency: .*50/);
  });

  it('reports parents that do not exist or are not loops', () => {
    const result = validate(
      def(
        [
          start(),
          node('t', 'template', { template: 'x' }),
          node('a', 'template', { template: 'a' }, { parentId: 'ghost' }),
          node('b', 'template', { template: 'b' }, { parentId: 't' }),
          end(),
        ],
        [edge('start', 't'), edge('t', 'end')],
      ),
    );
    const problems = only(result.problems, 'invalid_parent');
    expect(problems.map((p) => [p.nodeId, p.path.join('.')])).toEqual([
      ['a', 'nodes.2.parentId'],
      ['b', 'nodes.3.parentId'],
    ]);
    expect(problems[0]?.message).toContain('"ghost" does not exist');
    expect(problems[1]?.message).toContain('not a loop');
  });

  it('reports dangling edges', () => {
    const result = validate(def([start(), end()], [edge('start', 'end'), edge('start', 'ghost')]));
    expect(result.problems).toEqual([
      {
        code: 'dangling_edge',
        message: 'its target "ghost" does not exist',
        edgeId: 'start_ghost_out',
        path: ['edges', 1, 'target'],
      },
    ]);
  });

  it('reports edges that cross a loop boundary', () => {
    const result = validate(
      def(
        [
          start(),
          node('l', 'loop', { mode: 'for-each', items: [] }),
          node('body', 'template', { template: 'x' }, { parentId: 'l' }),
          end(),
        ],
        [edge('start', 'l'), edge('l', 'end'), edge('start', 'body')],
      ),
    );
    expect(only(result.problems, 'edge_crosses_loop').map((p) => p.edgeId)).toEqual(['start_body_out']);
    expect(result.problems).toHaveLength(1);
  });

  it('reports source handles the node does not have, allowing the error handle with error-branch', () => {
    const cond = node('c', 'condition', {
      cases: [{ id: 'yes', conditions: [{ left: 1, operator: 'eq', right: 1 }] }],
    });
    const result = validate(
      def(
        [
          start(),
          cond,
          node('t', 'template', { template: 'x' }),
          node('h', 'http', { url: 'https://example.com' }, { error: { onError: 'error-branch' } }),
          end(),
        ],
        [
          edge('start', 'c'),
          edge('c', 't', 'yes'),
          edge('c', 'end', null),
          edge('t', 'h'),
          edge('t', 'end', 'error'),
          edge('h', 'end'),
          edge('h', 'end', 'error'),
        ],
      ),
    );
    const problems = only(result.problems, 'invalid_source_handle');
    expect(problems.map((p) => p.edgeId)).toEqual(['c_end_out', 't_end_error']);
    expect(problems[0]?.message).toContain('"yes", "else"');
    expect(problems[1]?.message).toContain('error-branch');
    expect(result.problems).toHaveLength(2);
  });

  it('reports target handles the node does not have', () => {
    const result = validate(
      def(
        [start(), node('t', 'template', { template: 'x' }), end()],
        [edge('start', 't'), edge('t', 'end', null, 'side'), edge('t', 'start')],
      ),
    );
    expect(only(result.problems, 'invalid_target_handle').map((p) => p.edgeId)).toEqual([
      't_end_out',
      't_start_out',
    ]);
  });

  it('reports cycles and names their nodes', () => {
    const result = validate(
      def(
        [
          start(),
          node('a', 'template', { template: 'a' }),
          node('b', 'template', { template: 'b' }),
          node('c', 'template', { template: 'c' }),
          end(),
        ],
        [edge('start', 'a'), edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'end')],
      ),
    );
    const problems = only(result.problems, 'cycle');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe('nodes "a", "b", "c" form a cycle');
    expect(problems[0]?.nodeId).toBe('a');
  });

  it('reports cycles inside loop bodies too', () => {
    const result = validate(
      def(
        [
          start(),
          node('l', 'loop', { mode: 'for-each', items: [] }),
          node('x', 'template', { template: 'x' }, { parentId: 'l' }),
          end(),
        ],
        [edge('start', 'l'), edge('l', 'end'), edge('x', 'x')],
      ),
    );
    expect(only(result.problems, 'cycle')).toEqual([
      { code: 'cycle', message: 'it is connected to itself', nodeId: 'x', path: ['nodes', 2] },
    ]);
  });

  it('reports top-level nodes the start node does not lead to', () => {
    const result = validate(
      def(
        [start(), node('orphan', 'template', { template: 'x' }), end()],
        [edge('start', 'end'), edge('orphan', 'end')],
      ),
    );
    expect(result.problems).toEqual([
      {
        code: 'unreachable',
        message: 'no path of edges leads here from the start node',
        nodeId: 'orphan',
        path: ['nodes', 1],
      },
    ]);
  });

  it('reports references to nodes that do not exist and to undeclared start inputs', () => {
    const result = validate(
      def(
        [
          start([{ name: 'q', type: 'string' }]),
          end({ a: '{{ghost.x}}', b: '{{start.nope}}', c: '{{start.q}}' }),
        ],
        [edge('start', 'end')],
      ),
    );
    const problems = only(result.problems, 'unknown_reference');
    expect(problems.map((p) => p.path)).toEqual([
      ['nodes', 1, 'config', 'outputs', 'a'],
      ['nodes', 1, 'config', 'outputs', 'b'],
    ]);
    expect(problems[1]?.message).toContain('no input "nope"');
    expect(result.problems).toHaveLength(2);
  });

  it('reports references to nodes that are not upstream', () => {
    const result = validate(
      def(
        [
          start(),
          node('a', 'template', { template: '{{b.text}}' }),
          node('b', 'template', { template: '{{b.text}}' }),
          node('side', 'template', { template: 'x' }),
          node('l', 'loop', { mode: 'for-each', items: [], output: '{{inner.text}}' }),
          node('inner', 'template', { template: '{{l.item}} {{l.results}}' }, { parentId: 'l' }),
          end({ x: '{{inner.text}}', y: '{{side.text}}' }),
        ],
        [
          edge('start', 'a'),
          edge('a', 'b'),
          edge('start', 'side'),
          edge('side', 'l'),
          edge('b', 'end'),
          edge('l', 'end'),
        ],
      ),
    );
    const problems = only(result.problems, 'reference_not_upstream');
    expect(problems.map((p) => `${p.nodeId}@${p.path.slice(3).join('.')}`)).toEqual([
      'a@template',
      'b@template',
      'inner@template',
      'end@outputs.x',
    ]);
    expect(problems[1]?.message).toContain('its own output');
    expect(problems[2]?.message).toContain('only provides item and index');
    expect(problems[3]?.message).toContain('inside loop "l"');
    expect(result.problems).toHaveLength(4);
  });

  it('lets loop bodies use enclosing loops and what is upstream of them, recursively', () => {
    const result = validate(
      def(
        [
          start(),
          node('pre', 'template', { template: 'p' }),
          node('outer', 'loop', { mode: 'for-each', items: [[1]], output: '{{inner.results}}' }),
          node('first', 'template', { template: '{{outer.item}}' }, { parentId: 'outer' }),
          node(
            'inner',
            'loop',
            { mode: 'for-each', items: '{{outer.item}}', output: '{{deep.text}}' },
            { parentId: 'outer' },
          ),
          node(
            'deep',
            'template',
            { template: '{{inner.item}} {{outer.index}} {{first.text}} {{pre.text}}' },
            { parentId: 'inner' },
          ),
          node('w', 'loop', {
            mode: 'while',
            condition: { conditions: [{ left: '{{w.index}}', operator: 'lt', right: '{{w.previous}}' }] },
            output: '{{w.previous}}',
          }),
          node('bad', 'loop', {
            mode: 'while',
            condition: { conditions: [{ left: '{{body.text}}', operator: 'empty' }] },
          }),
          node('body', 'template', { template: '{{bad.previous}}' }, { parentId: 'bad' }),
          end(),
        ],
        [
          edge('start', 'pre'),
          edge('pre', 'outer'),
          edge('first', 'inner'),
          edge('outer', 'w'),
          edge('w', 'bad'),
          edge('bad', 'end'),
        ],
      ),
    );
    // The while loop's condition runs before the body, so it cannot read body nodes.
    expect(result.problems.map((p) => [p.code, p.nodeId])).toEqual([['reference_not_upstream', 'bad']]);
    expect(result.problems[0]?.message).toContain('use {{bad.previous}}');
    // `deep` references `outer.item` from two loops down, which is allowed by the recursion.
  });

  it('reports known type mismatches for loop items and delay durations', () => {
    const result = validate(
      def(
        [
          start([
            { name: 'topic', type: 'string' },
            { name: 'list', type: 'array' },
          ]),
          node('bad', 'loop', { mode: 'for-each', items: '{{start.topic}}' }),
          node('good', 'loop', { mode: 'for-each', items: '{{start.list}}' }),
          node('lit', 'loop', { mode: 'for-each', items: 'a, b' }),
          node('t', 'template', { template: 'x' }),
          node('d', 'delay', { ms: '{{t.text}}' }),
          node('d2', 'delay', { ms: '{{good.count}}' }),
          end(),
        ],
        [
          edge('start', 'bad'),
          edge('bad', 'good'),
          edge('good', 'lit'),
          edge('lit', 't'),
          edge('t', 'd'),
          edge('d', 'd2'),
          edge('d2', 'end'),
        ],
      ),
    );
    const problems = only(result.problems, 'type_mismatch');
    expect(problems.map((p) => [p.nodeId, p.message])).toEqual([
      ['bad', 'items must be an array, but {{start.topic}} is a string'],
      ['lit', 'items must be an array, but it is a string'],
      ['d', 'ms must be a number, but {{t.text}} is a string'],
    ]);
    expect(problems[0]?.path).toEqual(['nodes', 1, 'config', 'items']);
    expect(result.problems).toHaveLength(3);
  });

  it('reports node ids that shadow special reference roots', () => {
    const result = validate(
      def(
        [start(), node('secrets', 'template', { template: 'x' }), end()],
        [edge('start', 'secrets'), edge('secrets', 'end')],
      ),
    );
    expect(result.problems.map((p) => [p.code, p.nodeId])).toEqual([['reserved_node_id', 'secrets']]);
  });

  it('accepts references to a start node with another id through the start alias', () => {
    const result = validate(
      def(
        [
          node('begin', 'start', { inputs: [{ name: 'q', type: 'string' }] }),
          end({ q: '{{start.q}}', r: '{{begin.q}}', s: '{{secrets.key}}' }),
        ],
        [edge('begin', 'end')],
      ),
    );
    expect(result.problems).toEqual([]);
  });

  it('returns every problem at once', () => {
    const result = validate(
      def(
        [
          node('t', 'template', {}),
          node('x', 'mystery'),
          node('a', 'answer', { text: '{{zz.text}}' }),
          node('b', 'template', { template: '{{a.answer}}' }),
        ],
        [edge('t', 'a'), edge('a', 'gone'), edge('a', 'b'), edge('b', 'a')],
      ),
    );
    expect(result.ok).toBe(false);
    expect(result.definition).toBeDefined();
    expect(new Set(result.problems.map((p) => p.code))).toEqual(
      new Set([
        'missing_start',
        'unknown_node_type',
        'invalid_config',
        'dangling_edge',
        'cycle',
        'unknown_reference',
      ]),
    );
    expect(result.problems.length).toBeGreaterThanOrEqual(6);
  });

  it('refuses input that is not a definition at all', () => {
    const result = validate('nope');
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.code).toBe('invalid_shape');
  });
});
