// The mock model of bench/api.ts in a process of its own (forked with IPC), so that neither the
// bench's HTTP client nor Weft's server shares an event loop with it and its CPU time can be read
// apart. Sends { url, port } once listening; on { options } it clears the request log (so the log
// does not grow over thousands of requests) and sets the latencies, then answers { ok: true }.
import { type MockOpenAIOptions, startMockOpenAI } from '../tests/support/mock-openai';

type Message = { options: Partial<MockOpenAIOptions> };

async function main() {
  const model = await startMockOpenAI({ apiKey: 'sk-e2e' });
  process.on('message', (message: Message) => {
    model.reset();
    model.setOptions(message.options);
    process.send?.({ ok: true });
  });
  process.on('disconnect', () => {
    void model.close().then(() => process.exit(0));
  });
  process.send?.({ url: model.url, port: model.port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
