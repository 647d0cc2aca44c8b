// Workspace secrets: encrypted at rest, names only over the API, owners only to write, usable in
// node configs as {{secrets.NAME}}, and never stored in run events, steps, logs or outputs.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaceSecrets } from '@/db/schema';
import { rowsOf } from '@/workflows/engines/embedded/sql-rows';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { testDatabases } from '../support/databases';
import { studioEngineSuite } from '../support/studio-engine-suite';
import { errorOf, signUpUser } from '../support/trpc-harness';

const SECRET = 'tok-4f9c2e7a1b-very-secret';

describe.each(testDatabases())('secrets on $name', ({ open }) => {
  const suite = studioEngineSuite(open, 'keeper');
  let api: CountingServer;
  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    api = await startCountingServer();
  });
  afterAll(async () => {
    await api.close();
  });

  it('stores values encrypted, lists names only, and lets only owners write', async () => {
    await suite.owner.caller.secrets.set({ ...suite.ws, name: 'API_TOKEN', value: SECRET });
    const [row] = await suite.database.db
      .select()
      .from(workspaceSecrets)
      .where(eq(workspaceSecrets.name, 'API_TOKEN'));
    expect(row?.valueEncrypted).not.toContain(SECRET);
    const listed = await suite.owner.caller.secrets.list(suite.ws);
    expect(listed.map((s) => s.name)).toEqual(['API_TOKEN']);
    expect(JSON.stringify(listed)).not.toContain(SECRET);

    const { token } = await suite.owner.caller.workspace.invite({ ...suite.ws, role: 'editor' });
    const editor = await signUpUser(suite.database.db, 'secret-editor', token);
    expect((await editor.caller.secrets.list(suite.ws)).map((s) => s.name)).toEqual(['API_TOKEN']);
    expect(
      (await errorOf(editor.caller.secrets.set({ ...suite.ws, name: 'API_TOKEN', value: 'x' }))).code,
    ).toBe('FORBIDDEN');
    expect(
      (await errorOf(suite.owner.caller.secrets.set({ ...suite.ws, name: 'bad name', value: 'x' }))).code,
    ).toBe('BAD_REQUEST');
  });

  it('uses a secret in a node and keeps its value out of events, steps, logs and outputs', async () => {
    await suite.owner.caller.secrets.set({ ...suite.ws, name: 'API_TOKEN', value: SECRET });
    const app = await suite.owner.caller.apps.create({
      ...suite.ws,
      name: 'Uses a secret',
      kind: 'workflow',
    });
    const draft = await suite.owner.caller.apps.getDraft({ ...suite.ws, appId: app.id });
    const pos = { x: 0, y: 0 };
    await suite.owner.caller.apps.saveDraft({
      ...suite.ws,
      appId: app.id,
      baseRevision: draft.revision,
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: 'start', type: 'start', title: 'Start', config: { inputs: [] }, position: pos },
          {
            id: 'call',
            type: 'http',
            title: 'Call',
            config: {
              url: `${api.url}/secret/echo`,
              headers: { authorization: 'Bearer {{secrets.API_TOKEN}}' },
            },
            position: pos,
          },
          {
            id: 'say',
            type: 'template',
            title: 'Say',
            config: { template: 'token {{secrets.API_TOKEN}}; the server saw {{call.body.auth}}' },
            position: pos,
          },
          {
            id: 'script',
            type: 'code',
            title: 'Script',
            config: {
              code: 'console.log("using", inputs.t); return { length: inputs.t.length };',
              inputs: { t: '{{secrets.API_TOKEN}}' },
            },
            position: pos,
          },
          {
            id: 'end',
            type: 'end',
            title: 'End',
            config: { outputs: { text: '{{say.text}}', length: '{{script.length}}' } },
            position: pos,
          },
        ],
        edges: [
          { id: 'a', source: 'start', sourceHandle: null, target: 'call', targetHandle: null },
          { id: 'b', source: 'call', sourceHandle: null, target: 'say', targetHandle: null },
          { id: 'c', source: 'say', sourceHandle: null, target: 'script', targetHandle: null },
          { id: 'd', source: 'script', sourceHandle: null, target: 'end', targetHandle: null },
        ],
      },
    });
    const { runId } = await suite.owner.caller.runs.start({ ...suite.ws, appId: app.id, inputs: {} });
    const run = await suite.h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    // The secret did its job: the remote side received it.
    expect(api.counts('/secret/echo')).toBe(1);
    expect(run.outputs).toEqual({
      text: 'token [secret:API_TOKEN]; the server saw Bearer [secret:API_TOKEN]',
      length: SECRET.length,
    });

    const stored = await suite.database.db.execute(sql`
      select (select coalesce(string_agg(data::text, ' '), '') from run_events where run_id = ${runId}::uuid)
          || (select coalesce(string_agg(concat(input::text, output::text, error::text, logs::text), ' '), '')
              from run_steps where run_id = ${runId}::uuid)
          || (select concat(outputs::text, error::text, definition::text) from runs where id = ${runId}::uuid) as all_text`);
    const text = String(rowsOf<{ all_text: string }>(stored)[0]?.all_text);
    expect(text.length).toBeGreaterThan(200);
    expect(text).toContain('[secret:API_TOKEN]');
    expect(text).toContain('using [secret:API_TOKEN]'); // the code node's console line, redacted
    expect(text).not.toContain(SECRET);
  });

  it('refuses to start a run that uses an undefined secret', async () => {
    const app = await suite.owner.caller.apps.create({ ...suite.ws, name: 'Missing secret', kind: 'chat' });
    const draft = await suite.owner.caller.apps.getDraft({ ...suite.ws, appId: app.id });
    const definition = {
      ...draft.definition,
      nodes: draft.definition.nodes.map((n) =>
        n.type === 'answer' ? { ...n, config: { text: '{{secrets.NOPE}}' } } : n,
      ),
    };
    await suite.owner.caller.apps.saveDraft({
      ...suite.ws,
      appId: app.id,
      baseRevision: draft.revision,
      definition,
    });
    const error = await errorOf(
      suite.owner.caller.runs.start({ ...suite.ws, appId: app.id, inputs: { query: 'x' } }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/NOPE/);
  });
});
