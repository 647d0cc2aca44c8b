// Editing one field of a config at a path keeps every other key, and problems land on fields.
import { describe, expect, it } from 'vitest';
import { nearestFieldPath, placeErrors } from './error-placement';
import { humanise, pathLabel, singular } from './field-labels';
import { buildFieldModel } from './schema-model';
import { getAtPath, moveItem, pathKey, removeItem, setAtPath } from './value-path';

describe('getAtPath / setAtPath', () => {
  const config = { url: 'https://x', headers: { a: '1' }, cases: [{ id: 'a' }, { id: 'b' }] };

  it('reads nested keys and indexes', () => {
    expect(getAtPath(config, ['cases', 1, 'id'])).toBe('b');
    expect(getAtPath(config, ['missing', 'x'])).toBeUndefined();
    expect(getAtPath(config, [])).toBe(config);
  });

  it('writes without touching the original or the other keys', () => {
    const next = setAtPath(config, ['cases', 1, 'id'], 'c') as typeof config;
    expect(next).toEqual({ url: 'https://x', headers: { a: '1' }, cases: [{ id: 'a' }, { id: 'c' }] });
    expect(config.cases[1]?.id).toBe('b');
    // Untouched branches are shared, not copied.
    expect(next.headers).toBe(config.headers);
    expect(next.cases[0]).toBe(config.cases[0]);
  });

  it('removes a key (or list item) when the new value is undefined', () => {
    expect(setAtPath(config, ['headers'], undefined)).toEqual({ url: 'https://x', cases: config.cases });
    expect(setAtPath(config, ['cases', 0], undefined)).toEqual({ ...config, cases: [{ id: 'b' }] });
  });

  it('creates missing containers', () => {
    expect(setAtPath({}, ['memory', 'turns'], 5)).toEqual({ memory: { turns: 5 } });
    expect(setAtPath(undefined, ['stop', 0], 'END')).toEqual({ stop: ['END'] });
  });

  it('moves and removes list items', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, -5)).toEqual(['c', 'a', 'b']);
    expect(removeItem(['a', 'b', 'c'], 1)).toEqual(['a', 'c']);
  });
});

describe('placeErrors', () => {
  const model = buildFieldModel({
    type: 'object',
    properties: {
      url: { type: 'string' },
      data: {},
      cases: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' } } } },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      auth: {
        oneOf: [
          { type: 'object', properties: { type: { const: 'none' } } },
          { type: 'object', properties: { type: { const: 'bearer' }, token: { type: 'string' } } },
        ],
      },
    },
  });
  const value = {
    url: '',
    data: { a: [1] },
    cases: [{ id: '1x' }],
    headers: { 'X-A': '' },
    auth: { type: 'bearer' },
  };

  it('puts each problem on the deepest rendered field of its path', () => {
    expect(nearestFieldPath(model, value, ['url'])).toEqual(['url']);
    expect(nearestFieldPath(model, value, ['cases', 0, 'id'])).toEqual(['cases', 0, 'id']);
    expect(nearestFieldPath(model, value, ['cases', '0', 'id'])).toEqual(['cases', 0, 'id']);
    expect(nearestFieldPath(model, value, ['cases', 3, 'id'])).toEqual(['cases']);
    expect(nearestFieldPath(model, value, ['data', 'a', 0])).toEqual(['data']);
    expect(nearestFieldPath(model, value, ['headers', 'X-A'])).toEqual(['headers', 'X-A']);
    expect(nearestFieldPath(model, value, ['auth', 'token'])).toEqual(['auth', 'token']);
    expect(nearestFieldPath(model, value, ['nope'])).toEqual([]);
  });

  it('groups messages by field and says where inside a JSON value', () => {
    const placed = placeErrors(model, value, [
      { path: ['url'], message: 'is required' },
      { path: ['data', 'a', 0], message: 'must be a string' },
      { path: [], message: 'bad config' },
    ]);
    expect(placed.get(pathKey(['url']))).toEqual(['is required']);
    expect(placed.get(pathKey(['data']))).toEqual(['a.0: must be a string']);
    expect(placed.get(pathKey([]))).toEqual(['bad config']);
  });
});

describe('labels', () => {
  it('humanises keys', () => {
    expect(humanise('maxResponseBytes')).toBe('Max response bytes');
    expect(humanise('timeoutMs')).toBe('Timeout (ms)');
    expect(humanise('memoryMb')).toBe('Memory (MB)');
    expect(humanise('providerId')).toBe('Provider ID');
    expect(humanise('url')).toBe('URL');
    expect(humanise('json_schema')).toBe('JSON schema');
    expect(humanise('for-each')).toBe('For each');
  });

  it('names list items and problem paths', () => {
    expect(singular('Cases')).toBe('Case');
    expect(singular('Classes')).toBe('Class');
    expect(singular('Stop')).toBe('Stop');
    expect(pathLabel(['config', 'cases', 0, 'id'])).toBe('Config › Cases › 1 › ID');
  });
});
