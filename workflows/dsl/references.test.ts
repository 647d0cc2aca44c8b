// The `{{ ref }}` syntax: finding references, resolving them with types, interpolating text.
import { describe, expect, it } from 'vitest';
import {
  asText,
  findReferences,
  getPath,
  parseSingleReference,
  resolveValue,
  toJson,
} from '@/workflows/dsl/references';
import type { Json } from '@/workflows/interpreter/types';

const outputs: Record<string, Json> = {
  llm: { text: 'hello', count: 3, ok: true, tags: ['a', 'b'], meta: { model: 'm' }, none: null },
  http: { headers: { 'content-type': 'application/json' } },
  start: { query: 'q' },
};
const lookup = (root: string, path: string[]) => getPath(outputs[root], path);

describe('findReferences', () => {
  it('finds references deep inside objects and arrays, with their location', () => {
    const refs = findReferences({
      a: 'x {{ llm.text }} y {{start.query}}',
      list: [1, { b: '{{llm.tags.0}}' }],
      '{{notAKey.x}}': 'plain',
    });
    expect(refs).toEqual([
      { root: 'llm', path: ['text'], raw: '{{ llm.text }}', at: ['a'] },
      { root: 'start', path: ['query'], raw: '{{start.query}}', at: ['a'] },
      { root: 'llm', path: ['tags', '0'], raw: '{{llm.tags.0}}', at: ['list', 1, 'b'] },
    ]);
  });

  it('ignores malformed references and non-string values', () => {
    expect(findReferences(['{{ 1abc.x }}', '{{a..b}}', '{{a.}}', '{a.b}', 42, null, true])).toEqual([]);
  });

  it('accepts a bare root and hyphenated field names', () => {
    expect(findReferences('{{llm}} {{http.headers.content-type}}').map((r) => [r.root, r.path])).toEqual([
      ['llm', []],
      ['http', ['headers', 'content-type']],
    ]);
  });
});

describe('parseSingleReference', () => {
  it('recognises a string that is exactly one reference, ignoring outer spaces', () => {
    expect(parseSingleReference('  {{ a.b }} ')).toEqual({ root: 'a', path: ['b'], raw: '{{ a.b }}' });
    expect(parseSingleReference('{{a.b}} and text')).toBeNull();
    expect(parseSingleReference(3)).toBeNull();
  });
});

describe('getPath', () => {
  it('follows fields and array indexes and returns undefined when missing', () => {
    expect(getPath(outputs.llm, ['tags', '1'])).toBe('b');
    expect(getPath(outputs.llm, ['meta', 'model'])).toBe('m');
    expect(getPath(outputs.llm, ['tags', 'x'])).toBeUndefined();
    expect(getPath(outputs.llm, ['text', 'length'])).toBeUndefined();
    expect(getPath(outputs.llm, ['none'])).toBeNull();
    expect(getPath(undefined, [])).toBeUndefined();
  });

  it('never reaches into the prototype', () => {
    expect(getPath({}, ['constructor'])).toBeUndefined();
    expect(getPath({}, ['__proto__'])).toBeUndefined();
  });
});

describe('resolveValue', () => {
  it('keeps the type of a value that is exactly one reference', () => {
    expect(
      resolveValue(
        {
          n: '{{llm.count}}',
          b: ' {{ llm.ok }} ',
          o: '{{llm.meta}}',
          a: '{{llm.tags}}',
          m: '{{llm.missing}}',
        },
        lookup,
      ),
    ).toEqual({ n: 3, b: true, o: { model: 'm' }, a: ['a', 'b'], m: null });
  });

  it('interpolates references mixed with text', () => {
    expect(
      resolveValue(
        '{{llm.text}} n={{llm.count}} ok={{llm.ok}} tags={{llm.tags}} meta={{llm.meta}} ' +
          '[{{llm.none}}{{nope.x}}]',
        lookup,
      ),
    ).toBe('hello n=3 ok=true tags=["a","b"] meta={"model":"m"} []');
  });

  it('copies other values, does not resolve keys and turns non-JSON values into null', () => {
    const input = { '{{llm.text}}': 1, list: [undefined, () => 1, Number.NaN, 'x'], skip: undefined };
    const out = resolveValue(input, lookup);
    expect(out).toEqual({ '{{llm.text}}': 1, list: [null, null, null, 'x'] });
    expect(Object.hasOwn(out as object, 'skip')).toBe(false);
    expect(resolveValue(undefined, lookup)).toBeNull();
  });

  it('does not re-resolve values a reference produced', () => {
    const tricky = (root: string) => (root === 'user' ? '{{llm.text}}' : undefined);
    expect(resolveValue('{{user.input}}', tricky)).toBe('{{llm.text}}');
    expect(resolveValue('say {{user.input}}', tricky)).toBe('say {{llm.text}}');
  });

  it('returns a new value, leaving the input untouched', () => {
    const input = { a: ['{{llm.count}}'] };
    const out = resolveValue(input, lookup);
    expect(out).toEqual({ a: [3] });
    expect(input.a[0]).toBe('{{llm.count}}');
  });
});

describe('toJson and asText', () => {
  it('normalises to JSON and breaks cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(toJson(cyclic)).toEqual({ a: 1, self: null });
    expect(toJson(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    const shared = { x: 1 };
    expect(toJson([shared, shared])).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('turns resolved values into text by the interpolation rules', () => {
    expect(asText(3)).toBe('3');
    expect(asText(null)).toBe('');
    expect(asText({ a: 1 })).toBe('{"a":1}');
    expect(asText(undefined)).toBeUndefined();
  });
});
