import { describe, expect, it } from 'vitest';
import { parseWith } from './body';
import type { ApiError } from './errors';
import { sseData } from './sse';
import { resumePoint, runWorkflowBody } from './workflow-runs';

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe('POST /workflows/run body', () => {
  const base = { inputs: {}, user: 'u' };
  const message = (value: unknown) => {
    try {
      parseWith(runWorkflowBody, value);
    } catch (error) {
      return (error as ApiError).message;
    }
    return null;
  };

  it('takes async with an optional http(s) callback_url', () => {
    expect(parseWith(runWorkflowBody, { ...base, response_mode: 'async' }).callback_url).toBeUndefined();
    expect(
      parseWith(runWorkflowBody, { ...base, response_mode: 'async', callback_url: ' https://a.example/cb ' })
        .callback_url,
    ).toBe('https://a.example/cb');
    expect(message({ ...base, response_mode: 'fast' })).toBe(
      'response_mode: must be blocking, streaming or async',
    );
    expect(message({ ...base, response_mode: 'async', callback_url: 'ftp://a.example' })).toBe(
      'callback_url: must be an http(s) URL',
    );
    expect(message({ ...base, response_mode: 'async', callback_url: 42 })).toBe(
      'callback_url: must be a string',
    );
    expect(message({ ...base, response_mode: 'blocking', callback_url: 'https://a.example' })).toBe(
      'callback_url: is only supported with response_mode async',
    );
  });
});

describe('re-attach resume point', () => {
  it('reads Last-Event-ID, else ?after=, else starts at 0', () => {
    expect(resumePoint(req('http://x/events'))).toBe(0);
    expect(resumePoint(req('http://x/events?after=4'))).toBe(4);
    expect(resumePoint(req('http://x/events?after=4', { 'last-event-id': '7' }))).toBe(7);
    expect(resumePoint(req('http://x/events', { 'last-event-id': ' ' }))).toBe(0);
  });

  it('refuses an id that is not a whole number, naming where it came from', () => {
    expect(() => resumePoint(req('http://x/events', { 'last-event-id': 'abc' }))).toThrow(
      /^Last-Event-ID: must be/,
    );
    expect(() => resumePoint(req('http://x/events?after=-1'))).toThrow(/^after: must be/);
  });
});

describe('SSE framing', () => {
  it('puts the id line before the data line', () => {
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    expect(text(sseData({ event: 'x' }, 3))).toBe('id: 3\ndata: {"event":"x"}\n\n');
    expect(text(sseData({ event: 'x' }))).toBe('data: {"event":"x"}\n\n');
  });
});
