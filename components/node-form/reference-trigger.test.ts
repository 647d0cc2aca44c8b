// The `{{` autocomplete's pure parts: spotting the reference being typed, ranking, inserting.
import { describe, expect, it } from 'vitest';
import {
  filterReferences,
  findTrigger,
  insertReference,
  type ReferenceOption,
  replaceRange,
  secretOptions,
} from './reference-trigger';

const refs: ReferenceOption[] = [
  { label: 'Start › query', value: '{{start.query}}' },
  { label: 'Summarise › text', value: '{{summarise.text}}' },
  { label: 'Fetch › status', value: '{{fetch.status}}' },
  { label: 'Summarise › usage', value: '{{summarise.usage}}' },
];

describe('findTrigger', () => {
  it('opens right after {{ and follows what is typed', () => {
    expect(findTrigger('Hello {{', 8)).toEqual({ start: 6, end: 8, query: '' });
    expect(findTrigger('Hello {{ sum', 12)).toEqual({ start: 6, end: 12, query: 'sum' });
    expect(findTrigger('Hello {{summarise.te', 20)).toEqual({ start: 6, end: 20, query: 'summarise.te' });
  });

  it('closes once the reference is closed, or the text cannot be a reference', () => {
    expect(findTrigger('{{a.b}} then', 12)).toBeNull();
    expect(findTrigger('{{a.b}}', 7)).toBeNull();
    expect(findTrigger('{{ two words', 12)).toBeNull();
    expect(findTrigger('no braces', 5)).toBeNull();
    expect(findTrigger('{', 1)).toBeNull();
  });

  it('looks only before the caret, and covers the rest of a reference after it', () => {
    const text = 'x {{summ}} y';
    expect(findTrigger(text, 6)).toEqual({ start: 2, end: 10, query: 'su' });
    // A later, closed reference does not hide an open one before the caret.
    expect(findTrigger('{{a', 3)).toEqual({ start: 0, end: 3, query: 'a' });
  });
});

describe('filterReferences', () => {
  it('returns everything for an empty query, in order', () => {
    expect(filterReferences(refs, '')).toEqual(refs);
  });

  it('ranks reference prefixes before label prefixes before substrings, case-insensitively', () => {
    expect(filterReferences(refs, 'SUM').map((r) => r.value)).toEqual([
      '{{summarise.text}}',
      '{{summarise.usage}}',
    ]);
    expect(filterReferences(refs, 'text').map((r) => r.value)).toEqual(['{{summarise.text}}']);
    const mixed = filterReferences(
      [
        { label: 'b', value: '{{x.status}}' },
        { label: 'status code', value: '{{y.code}}' },
        { label: 'c', value: '{{status.ok}}' },
      ],
      'status',
    );
    expect(mixed.map((r) => r.value)).toEqual(['{{status.ok}}', '{{y.code}}', '{{x.status}}']);
  });

  it('honours the limit', () => {
    expect(filterReferences(refs, '', 2)).toHaveLength(2);
  });
});

describe('insertReference', () => {
  it('replaces the typed part and puts the caret after the inserted reference', () => {
    const text = 'Reply to {{sum and go';
    const trigger = findTrigger(text, 14);
    expect(trigger).not.toBeNull();
    if (!trigger) return;
    expect(insertReference(text, trigger, '{{summarise.text}}')).toEqual({
      text: 'Reply to {{summarise.text}} and go',
      caret: 27,
    });
  });

  it('replaces a whole reference when the caret was inside it', () => {
    const text = 'a {{summ.xx}} b';
    const trigger = findTrigger(text, 6);
    if (!trigger) throw new Error('expected a trigger');
    expect(insertReference(text, trigger, '{{summarise.text}}').text).toBe('a {{summarise.text}} b');
  });

  it('replaceRange inserts at a selection', () => {
    expect(replaceRange('abcdef', 2, 4, '  ')).toEqual({ text: 'ab  ef', caret: 4 });
  });

  it('offers secrets as {{secrets.NAME}}', () => {
    expect(secretOptions(['API_KEY'])).toEqual([{ label: 'Secret › API_KEY', value: '{{secrets.API_KEY}}' }]);
  });
});
