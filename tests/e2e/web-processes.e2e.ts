// `npm start` with WEFT_WEB_PROCESSES=2 on PostgreSQL: two web processes share the port, each with
// its own embedded worker; the studio and the published API work across them, and stopping the
// server stops both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBinDir, type RunningPostgres, startPostgres } from '../support/postgres-server';
import {
  createApiKey,
  greeterDefinition as greeter,
  publishApp,
  signUpOverHttp,
} from '../support/published-app';
import { startWeft, type WeftServer } from '../support/weft-server';

const binDir = findPostgresBinDir();

describe.skipIf(!binDir)('several web processes on PostgreSQL', () => {
  let postgres: RunningPostgres;
  let server: WeftServer;
  beforeAll(async () => {
    postgres = await startPostgres(binDir ?? '');
    server = await startWeft({ DATABASE_URL: postgres.url, WEFT_WEB_PROCESSES: '2' });
  });
  afterAll(async () => {
    await server?.stop();
    postgres?.stop();
  });

  it('serves the studio and the API from two processes, and stops both', async () => {
    // Every process logs its own embedded worker.
    const deadline = Date.now() + 20_000;
    const workers = () => new Set(server.output().match(/embedded worker worker-[0-9a-f-]+ running/g) ?? []);
    while (workers().size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(workers().size).toBe(2);
    expect(server.output()).toContain('(2 processes)');

    const { client, workspaceId } = await signUpOverHttp(server.url, {
      email: `processes.${Date.now()}@example.test`,
      name: 'Operator',
    });
    const { appId } = await publishApp(client, workspaceId, {
      name: 'Greeter',
      kind: 'workflow',
      definition: greeter,
    });
    const { token } = await createApiKey(client, workspaceId, appId, 'two');
    // Keys and versions are read from the database by whichever process answers.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${server.url}/api/v1/workflows/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ inputs: { name: `n${i}` }, user: 'u', response_mode: 'blocking' }),
        }).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as { data?: { outputs?: unknown } },
        })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(answers.map((a) => a.body.data?.outputs)).toEqual(
      Array.from({ length: 40 }, (_, i) => ({ greeting: `Hello, n${i}!` })),
    );

    const began = Date.now();
    await server.stop();
    // Well before startWeft's own SIGKILL after 10 s.
    expect(Date.now() - began).toBeLessThan(8_000);
  });
});
