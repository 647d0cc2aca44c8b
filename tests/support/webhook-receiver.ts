// A local HTTP server standing in for a chat webhook (Slack's incoming webhooks and the like): it
// keeps each JSON body it receives and answers with the statuses it is told, then 200.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  bodies: unknown[];
  /** Status codes for the next requests, one each, before falling back to 200. */
  answerWith(statuses: number[]): void;
  /** Resolves when at least `count` requests have arrived. */
  received(count: number, timeoutMs?: number): Promise<unknown[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const bodies: unknown[] = [];
  let statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        bodies.push(JSON.parse(text));
      } catch {
        bodies.push(text);
      }
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret`,
    bodies,
    answerWith(next) {
      statuses = [...next];
    },
    async received(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (bodies.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook calls, got ${bodies.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return bodies;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
