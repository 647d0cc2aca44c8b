// bench/api's set-up: the two published apps (a streaming chat app on the mock model and a
// one-node workflow), the mock model in a child process (bench/api-mock.ts), and a Weft server
// started the way the README does, on a fresh data directory and without the per-key rate limit.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  chatbotDefinition,
  createApiKey,
  greeterDefinition,
  publishApp,
  signUpOverHttp,
} from '../tests/support/published-app';
import { startWeft, type WeftServer } from '../tests/support/weft-server';

export interface MockProcess {
  url: string;
  pid: number;
  setOptions(options: Record<string, number>): Promise<void>;
  stop(): void;
}

/** The mock model in a child process (bench/api-mock.ts). */
export function startMockProcess(): Promise<MockProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'api-mock.ts'), [], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the mock model exited with ${code}`)));
    child.once('message', (message: { url: string }) => {
      resolve({
        url: message.url,
        pid: child.pid as number,
        setOptions: (options) =>
          new Promise((done) => {
            child.once('message', () => done());
            child.send({ options });
          }),
        stop: () => child.disconnect(),
      });
    });
  });
}

export interface Setup {
  chatToken: string;
  workflowToken: string;
}

export async function setUp(server: WeftServer, mock: MockProcess): Promise<Setup> {
  const { client, workspaceId } = await signUpOverHttp(server.url, {
    email: `bench.${Date.now()}@example.test`,
    name: 'Bench',
  });
  await client.call('providers.create', {
    workspaceId,
    name: 'Mock AI',
    baseUrl: mock.url,
    apiKey: 'sk-e2e',
    defaultModel: 'mock-gpt',
    isDefault: true,
  });
  const chat = await publishApp(client, workspaceId, {
    name: 'Bench chat',
    kind: 'chat',
    definition: chatbotDefinition,
  });
  const flow = await publishApp(client, workspaceId, {
    name: 'Bench workflow',
    kind: 'workflow',
    definition: greeterDefinition,
  });
  const chatKey = await createApiKey(client, workspaceId, chat.appId, 'bench');
  const flowKey = await createApiKey(client, workspaceId, flow.appId, 'bench');
  return { chatToken: chatKey.token, workflowToken: flowKey.token };
}

/**
 * `npm start` on a fresh data directory, with the per-key rate limit out of the way. Stopping it
 * removes the data directory.
 */
export async function startBenchServer(env: Record<string, string>): Promise<WeftServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'weft-bench-api-'));
  const server = await startWeft(
    {
      WEFT_DATA_DIR: dataDir,
      // The bench is one key sending thousands of requests a second: no per-key limit in the way.
      WEFT_API_RATE_PER_MINUTE: '1000000',
      WEFT_API_BURST: '100000',
      ...env,
    },
    600_000, // the first start builds the app
  ).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
