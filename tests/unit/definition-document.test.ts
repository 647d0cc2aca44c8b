// Weft files: export as JSON and YAML, and parsing imports with every problem reported at once
// (syntax errors with line numbers, the format version, app fields, the definition's problems).
import { describe, expect, it } from 'vitest';
import { exportDefinition, parseImport } from '@/server/services/definition-service';
import { getTemplate, listTemplates } from '@/server/services/template-service';
import { starterDefinition } from '@/workflows/dsl/definition';

const app = { name: 'Helpdesk', kind: 'chat' as const, description: 'Answers questions', icon: '🤖' };
const valid = { weft: 1, app, definition: starterDefinition('chat') };

describe('exportDefinition and parseImport', () => {
  it.each(['json', 'yaml'] as const)('round-trips a template through %s', (format) => {
    const { definition } = getTemplate('content-pipeline');
    const text = exportDefinition(definition, format, app);
    if (format === 'yaml') expect(text).toMatch(/^weft: 1\napp:\n {2}name: Helpdesk\n/);
    else expect(JSON.parse(text)).toMatchObject({ weft: 1, app });
    // Detected from the text, and given explicitly.
    for (const result of [parseImport(text), parseImport(text, format)]) {
      expect(result).toEqual({ ok: true, document: { weft: 1, app, definition } });
    }
  });

  it('leaves the description empty and the icon out when the app has none', () => {
    const text = exportDefinition(starterDefinition('workflow'), 'json', { name: 'Bare', kind: 'workflow' });
    expect(JSON.parse(text).app).toEqual({ name: 'Bare', kind: 'workflow', description: '' });
  });

  it('reports JSON syntax errors with their line and column', () => {
    const text = '{\n  "weft": 1,\n  "app": { "name": "x", },\n}';
    const result = parseImport(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'syntax_error', path: [] });
    expect(result.problems[0]?.message).toBe('line 3, column 25: Expected double-quoted property name');

    // No offset in the message: the text stopped too early, so the problem is at its end.
    const truncated = parseImport('{\n  "weft": 1,\n  "app": ');
    expect(truncated.ok || truncated.problems[0]?.message).toBe(
      'line 3, column 10: Unexpected end of the file',
    );
  });

  it('reports YAML syntax errors with their line, including duplicate keys', () => {
    const result = parseImport('weft: 1\napp:\n  name: x\n  name: y\ndefinition: [1,\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.code)).toEqual(result.problems.map(() => 'syntax_error'));
    expect(result.problems[0]?.message).toBe('line 4, column 3: Map keys must be unique');
    expect(result.problems.some((p) => p.message.startsWith('line 6, column 1: Flow sequence'))).toBe(true);
    // A format given explicitly wins: JSON text read as YAML parses too (JSON is YAML).
    expect(parseImport(JSON.stringify(valid), 'yaml')).toEqual({ ok: true, document: valid });
  });

  it('refuses YAML whose aliases would expand without bound', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(10)
          .fill(`*${i === 0 ? 'a' : 'bcdefghi'[i - 1]}`)
          .join(', ')}]`,
      );
    const result = parseImport(lines.join('\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.code).toBe('syntax_error');
  });

  it('reports an empty file, a file that is not an object, a missing and an unknown version', () => {
    expect(parseImport('  \n')).toEqual({
      ok: false,
      problems: [{ code: 'empty_file', message: 'the file is empty', path: [] }],
    });
    expect(parseImport('- just\n- a list\n')).toMatchObject({
      ok: false,
      problems: [{ code: 'invalid_document' }],
    });

    const missing = parseImport(JSON.stringify({ app, definition: starterDefinition('chat') }));
    expect(missing).toMatchObject({ ok: false, problems: [{ code: 'missing_version', path: ['weft'] }] });
    const bare = parseImport(JSON.stringify(starterDefinition('chat')));
    expect(bare.ok || bare.problems[0]?.message).toMatch(/bare definition/);

    // Another version is not read further: its app and definition may mean something else.
    const future = parseImport(`weft: 2\napp: 12\n`);
    expect(future).toEqual({
      ok: false,
      problems: [
        {
          code: 'unsupported_version',
          message: 'weft: version 2 is not supported; this Weft reads version 1',
          path: ['weft'],
        },
      ],
    });
  });

  it('reports bad app fields and every problem of the definition under "definition"', () => {
    const definition = starterDefinition('workflow');
    const broken = {
      weft: 1,
      app: { name: '  ', kind: 'robot' },
      definition: {
        ...definition,
        nodes: [
          ...definition.nodes,
          { id: 'orphan', type: 'http', title: 'Call', config: { url: '' }, position: { x: 0, y: 0 } },
          { id: 'weird', type: 'teleport', title: 'W', config: {}, position: { x: 0, y: 0 } },
        ],
      },
    };
    const result = parseImport(JSON.stringify(broken, null, 2));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byCode = (code: string) => result.problems.filter((p) => p.code === code);
    expect(byCode('invalid_app').map((p) => p.path)).toEqual([
      ['app', 'name'],
      ['app', 'kind'],
    ]);
    expect(byCode('invalid_app')[0]?.message).toBe('app.name: is required');
    expect(byCode('invalid_config')).toEqual([
      expect.objectContaining({ nodeId: 'orphan', path: ['definition', 'nodes', 2, 'config', 'url'] }),
    ]);
    expect(byCode('unknown_node_type')).toEqual([
      expect.objectContaining({ nodeId: 'weird', path: ['definition', 'nodes', 3, 'type'] }),
    ]);
    expect(
      byCode('unreachable')
        .map((p) => p.nodeId)
        .sort(),
    ).toEqual(['orphan', 'weird']);

    const noDefinition = parseImport(JSON.stringify({ weft: 1, app }));
    expect(noDefinition.ok || noDefinition.problems.every((p) => p.path[0] === 'definition')).toBe(true);
    expect(noDefinition.ok).toBe(false);
  });
});

describe('templates', () => {
  it('ship as valid Weft files with a summary for the gallery', () => {
    const list = listTemplates();
    expect(list.map((t) => t.id)).toEqual([
      'support-triage',
      'customer-service-router',
      'content-pipeline',
      'data-report',
      'ab-model-comparison',
      'approval-flow',
    ]);
    for (const t of list) {
      expect(t.name.length, t.id).toBeGreaterThan(0);
      expect(t.description.length, t.id).toBeGreaterThan(20);
      expect(t.nodeCount, t.id).toBe(getTemplate(t.id).definition.nodes.length);
    }
  });

  it('names the unknown template id', () => {
    expect(() => getTemplate('nope')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', field: 'templateId' }),
    );
    // Inherited object keys are no template either.
    expect(() => getTemplate('toString')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
