// sseResponse: the same events whichever way its body is taken, read as a web stream (a response
// through Next.js) or written by the server itself (the /api/v1 fast path); a producer that fails
// ends with its error event; the producer runs once.
import { describe, expect, it } from 'vitest';
import { sseResponse } from './sse';

const DIRECT_BODY = Symbol.for('weft.directBody');
type DirectBody = (sink: { write(chunk: Uint8Array): void; end(): void }) => void;

function produceTwo(runs: { count: number }) {
  return sseResponse(
    new Request('http://localhost/x'),
    async (send, _signal, sendRaw) => {
      runs.count += 1;
      send({ event: 'message', answer: 'Hi' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      send({ event: 'message_end' }, 7);
      sendRaw('[DONE]');
    },
    () => ({ event: 'error' }),
  );
}

const expected =
  'data: {"event":"message","answer":"Hi"}\n\nid: 7\ndata: {"event":"message_end"}\n\ndata: [DONE]\n\n';

describe('sseResponse', () => {
  it('streams the events when its body is read as a web stream', async () => {
    const runs = { count: 0 };
    const response = produceTwo(runs);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await response.text()).toBe(expected);
    expect(runs.count).toBe(1);
  });

  it('writes the same events itself when the server takes the body that way, and only once', async () => {
    const runs = { count: 0 };
    const response = produceTwo(runs);
    const direct = (response as Response & { [DIRECT_BODY]?: DirectBody })[DIRECT_BODY];
    expect(direct).toBeTypeOf('function');
    let text = '';
    await new Promise<void>((resolve) => {
      direct?.({ write: (chunk) => (text += new TextDecoder().decode(chunk)), end: resolve });
      direct?.({ write: () => (text += 'again'), end: () => {} });
    });
    expect(text).toBe(expected);
    expect(runs.count).toBe(1);
  });

  it('ends with the error event when the producer fails', async () => {
    const response = sseResponse(
      new Request('http://localhost/x'),
      async (send) => {
        send({ event: 'message' });
        throw new Error('boom');
      },
      (error) => ({ event: 'error', message: (error as Error).message }),
    );
    expect(await response.text()).toBe(
      'data: {"event":"message"}\n\ndata: {"event":"error","message":"boom"}\n\n',
    );
  });
});
