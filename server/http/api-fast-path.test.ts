// The web server's short way to route handlers, over a real Node HTTP server: requests arrive as
// standard Requests (body, headers, client address), bodies over the limit are refused by the
// handler's own check without being held whole, streamed responses go out chunk by chunk, and a
// client that goes away aborts the request's signal.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBodyText } from '@/server/public-api/body';
import { errorResponse } from '@/server/public-api/errors';
import { STREAM_PACKET_GAP_MS, serveWithHandler, withDirectBody } from './api-fast-path';

type Handler = (req: Request) => Promise<Response>;

let server: Server | null = null;

async function serve(handler: Handler, limit = 1024): Promise<string> {
  server = createServer((req, res) => {
    void serveWithHandler(req, res, { handler: (r) => handler(r), params: {} }, limit);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

describe('serveWithHandler', () => {
  it('hands the handler the method, URL, headers, body and client address', async () => {
    const url = await serve(async (req) =>
      Response.json({
        method: req.method,
        url: req.url,
        auth: req.headers.get('authorization'),
        forwardedFor: req.headers.get('x-forwarded-for'),
        body: await req.text(),
      }),
    );
    const res = await fetch(`${url}/api/v1/info?user=a`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: '{"q":1}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      method: 'POST',
      url: `${url}/api/v1/info?user=a`,
      auth: 'Bearer k',
      forwardedFor: '127.0.0.1',
      body: '{"q":1}',
    });
  });

  it('passes status and every Set-Cookie header back', async () => {
    const url = await serve(async () => {
      const headers = new Headers({ 'x-one': '1' });
      headers.append('set-cookie', 'a=1');
      headers.append('set-cookie', 'b=2');
      return new Response('made', { status: 201, headers });
    });
    const res = await fetch(`${url}/x`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-one')).toBe('1');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.text()).toBe('made');
  });

  const bodyCheck: Handler = async (req) => {
    try {
      return Response.json({ length: (await readBodyText(req, 16)).length });
    } catch (error) {
      return errorResponse(error, 'test');
    }
  };

  it('lets the handler refuse a body over the limit, declared or streamed', async () => {
    const url = await serve(bodyCheck, 16);
    const declared = await fetch(`${url}/x`, { method: 'POST', body: 'x'.repeat(17) });
    expect(declared.status).toBe(413);
    // Chunked, with no Content-Length: refused once more than the limit has arrived.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 50; i++) controller.enqueue(new TextEncoder().encode('0123456789'));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}/x`, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    const fits = await fetch(`${url}/x`, { method: 'POST', body: 'x'.repeat(16) });
    expect(await fits.json()).toEqual({ length: 16 });
  });

  it('streams the response as it is produced', async () => {
    let release: () => void = () => {};
    const url = await serve(async () => {
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode('data: first\n\n'));
          await new Promise<void>((resolve) => (release = resolve));
          controller.enqueue(new TextEncoder().encode('data: second\n\n'));
          controller.close();
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    });
    const res = await fetch(`${url}/x`);
    const reader = res.body?.getReader();
    const first = await reader?.read();
    // The second chunk is not even produced yet: the first arrived on its own.
    expect(new TextDecoder().decode(first?.value)).toBe('data: first\n\n');
    release();
    const second = await reader?.read();
    expect(new TextDecoder().decode(second?.value)).toBe('data: second\n\n');
  });

  it('aborts the request signal when the client goes away mid-response', async () => {
    let aborted: () => void = () => {};
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    const url = await serve(async (req) => {
      req.signal.addEventListener('abort', () => aborted());
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('data: hello\n\n'));
        },
      });
      return new Response(stream);
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${url}/x`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.once('error', reject);
      req.end();
    });
    await expect(sawAbort).resolves.toBeUndefined();
  });

  it('lets a body that writes itself go straight to the socket, never reading its web stream', async () => {
    let release: () => void = () => {};
    const url = await serve(async () => {
      const unread = new ReadableStream<Uint8Array>({
        pull() {
          throw new Error('the web stream was read');
        },
      });
      const response = new Response(unread, { headers: { 'content-type': 'text/event-stream' } });
      return withDirectBody(response, (sink) => {
        const bytes = (text: string) => new TextEncoder().encode(text);
        // Two events of one moment, then one later.
        sink.write(bytes('data: one\n\n'));
        sink.write(bytes('data: two\n\n'));
        void new Promise<void>((resolve) => (release = resolve)).then(() => {
          sink.write(bytes('data: three\n\n'));
          sink.end();
        });
      });
    });
    const res = await fetch(`${url}/x`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body?.getReader();
    let text = '';
    while (!text.includes('two')) text += new TextDecoder().decode((await reader?.read())?.value);
    expect(text).toBe('data: one\n\ndata: two\n\n');
    release();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    expect(text).toBe('data: one\n\ndata: two\n\ndata: three\n\n');
  });

  it('sends a write after a quiet moment at once and gathers the writes that follow closely', async () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    const url = await serve(async () =>
      withDirectBody(new Response('unused'), (sink) => {
        sink.write(bytes('a'));
        setTimeout(() => sink.write(bytes('b')), 5);
        setTimeout(() => sink.write(bytes('c')), 10);
        // Quiet for well over the gap: the next write leaves at once again.
        setTimeout(() => sink.write(bytes('d')), 5 * STREAM_PACKET_GAP_MS);
        setTimeout(() => sink.end(), 6 * STREAM_PACKET_GAP_MS);
      }),
    );
    // Read off a plain socket, so each packet is one piece (an HTTP client splits them by chunk).
    const { port } = new URL(url);
    const arrivals = await new Promise<{ text: string; at: number }[]>((resolve, reject) => {
      const packets: { text: string; at: number }[] = [];
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('GET /x HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n'),
      );
      socket.on('data', (packet: Buffer) => packets.push({ text: String(packet), at: performance.now() }));
      socket.on('end', () => resolve(packets));
      socket.on('error', reject);
    });
    // The body's pieces as they came, one entry a packet (chunk framing and headers left out).
    const bodyOf = (packet: string) =>
      packet
        .slice(packet.includes('\r\n\r\n') ? packet.indexOf('\r\n\r\n') + 4 : 0)
        .split('\r\n')
        .filter((line, i) => i % 2 === 1 && line !== '')
        .join('');
    const pieces = arrivals.map((p) => ({ text: bodyOf(p.text), at: p.at })).filter((p) => p.text !== '');
    expect(pieces.map((p) => p.text)).toEqual(['a', 'bc', 'd']);
    const [a, bc, d] = pieces;
    // b waited for the gap after a's packet; d, written after a quiet moment, did not wait.
    expect((bc?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(STREAM_PACKET_GAP_MS - 2);
    expect((d?.at ?? 0) - (a?.at ?? 0)).toBeLessThan(5 * STREAM_PACKET_GAP_MS + 40);
  });

  it('aborts the request signal when the client leaves a body that writes itself', async () => {
    let aborted: () => void = () => {};
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    const url = await serve(async (req) => {
      req.signal.addEventListener('abort', () => aborted());
      return withDirectBody(new Response(new ReadableStream()), (sink) => {
        sink.write(new TextEncoder().encode('data: hello\n\n'));
      });
    });
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${url}/x`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.once('error', reject);
      req.end();
    });
    await expect(sawAbort).resolves.toBeUndefined();
  });
});
