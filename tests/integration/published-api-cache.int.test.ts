// What the published API keeps in memory for a few seconds (authenticated keys with their app, an
// app's latest published version, checked version definitions, model providers) never outlives a
// change made in this process: a revoked key is refused at once, a deleted app's key too, a renamed
// app shows its new name, a new version is served as soon as it is published, a provider change
// applies to the next model call. Dify's sequence numbers keep counting runs one by one.
import { describe, expect, it, vi } from 'vitest';
import { latestPublishedVersion } from '@/server/public-api/published-version';
import { finishedRunData, loadWorkflowRun, runSequenceNumber } from '@/server/public-api/workflow-run-data';
import { authenticateApiKey, authenticateApiKeyWithApp } from '@/server/services/api-key-service';
import { resolveModelTarget } from '@/server/services/provider-service';
import { startRun } from '@/server/services/run-service';
import type { FinishedRun } from '@/workflows/engines/embedded/event-bus';
import { testDatabases } from '../support/databases';
import { studioEngineSuite } from '../support/studio-engine-suite';

const APP_SECRET = 'weft-test-app-secret-0123456789abcdefghij';

/** start → template ("<text>") → end { text }. */
const greeter = (text: string) => ({
  schemaVersion: 1,
  nodes: [
    { id: 'start', type: 'start', title: 'Start', config: { inputs: [] }, position: { x: 0, y: 0 } },
    { id: 'say', type: 'template', title: 'Say', config: { template: text }, position: { x: 0, y: 0 } },
    {
      id: 'end',
      type: 'end',
      title: 'End',
      config: { outputs: { text: '{{say.text}}' } },
      position: { x: 0, y: 0 },
    },
  ],
  edges: [
    { id: 'a', source: 'start', sourceHandle: null, target: 'say', targetHandle: null },
    { id: 'b', source: 'say', sourceHandle: null, target: 'end', targetHandle: null },
  ],
});

describe.each(testDatabases())('published API caches on $name', ({ open }) => {
  const suite = studioEngineSuite(open, 'cache-owner');

  async function publishedApp(name: string, text: string) {
    const app = await suite.owner.caller.apps.create({ ...suite.ws, name, kind: 'workflow' });
    await republish(app.id, text);
    return app.id;
  }
  async function republish(appId: string, text: string) {
    const draft = await suite.owner.caller.apps.getDraft({ ...suite.ws, appId });
    await suite.owner.caller.apps.saveDraft({
      ...suite.ws,
      appId,
      baseRevision: draft.revision,
      definition: greeter(text) as never,
    });
    return suite.owner.caller.apps.publish({ ...suite.ws, appId });
  }
  const apiApp = (id: string) => ({
    id,
    workspaceId: suite.ws.workspaceId,
    name: '',
    description: '',
    kind: 'workflow' as const,
  });

  it('refuses a cached key as soon as it is revoked', async () => {
    const appId = await publishedApp('Revoked', 'hi');
    const { key, token } = await suite.owner.caller.apiKeys.create({ ...suite.ws, appId, name: 'Soon gone' });
    expect(await authenticateApiKey(suite.database.db, token)).toMatchObject({ keyId: key.id });
    expect(await authenticateApiKey(suite.database.db, token)).toMatchObject({ keyId: key.id }); // from memory
    await suite.owner.caller.apiKeys.revoke({ ...suite.ws, appId, keyId: key.id });
    expect(await authenticateApiKey(suite.database.db, token)).toBeNull();
  });

  it('refuses a cached key as soon as its app is deleted, and shows a rename at once', async () => {
    const appId = await publishedApp('Before', 'hi');
    const { token } = await suite.owner.caller.apiKeys.create({ ...suite.ws, appId, name: 'k' });
    expect((await authenticateApiKeyWithApp(suite.database.db, token))?.app.name).toBe('Before');
    await suite.owner.caller.apps.update({ ...suite.ws, appId, name: 'After', description: 'renamed' });
    expect((await authenticateApiKeyWithApp(suite.database.db, token))?.app).toMatchObject({
      name: 'After',
      description: 'renamed',
    });
    await suite.owner.caller.apps.delete({ ...suite.ws, appId });
    expect(await authenticateApiKeyWithApp(suite.database.db, token)).toBeNull();
  });

  it('serves a new version as soon as it is published, and runs it', async () => {
    const appId = await publishedApp('Versions', 'first');
    const v1 = await latestPublishedVersion(suite.database.db, apiApp(appId));
    expect(v1.versionNumber).toBe(1);
    expect((await latestPublishedVersion(suite.database.db, apiApp(appId))).id).toBe(v1.id); // from memory
    const run1 = await startRun(suite.database.db, suite.h.runtime.engine, null, suite.ws.workspaceId, {
      appId,
      source: { kind: 'version', versionId: v1.id },
      inputs: {},
    });

    await republish(appId, 'second');
    const v2 = await latestPublishedVersion(suite.database.db, apiApp(appId));
    expect(v2.versionNumber).toBe(2);
    expect(JSON.stringify(v2.definition)).toContain('second');
    const run2 = await startRun(suite.database.db, suite.h.runtime.engine, null, suite.ws.workspaceId, {
      appId,
      source: { kind: 'version', versionId: v2.id },
      inputs: {},
    });
    const outputs = async (runId: string) => {
      for (;;) {
        const run = await suite.owner.caller.runs.get({ ...suite.ws, runId });
        if (run.status === 'succeeded') return run.outputs;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    expect(await outputs(run1.runId)).toEqual({ text: 'first' });
    expect(await outputs(run2.runId)).toEqual({ text: 'second' });
    // Another workspace's app id gets nothing from memory.
    await expect(
      latestPublishedVersion(suite.database.db, { ...apiApp(appId), workspaceId: crypto.randomUUID() }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('numbers an app’s runs one by one, and keeps a run’s number', async () => {
    const appId = await publishedApp('Counted', 'x');
    const version = await latestPublishedVersion(suite.database.db, apiApp(appId));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { runId } = await startRun(
        suite.database.db,
        suite.h.runtime.engine,
        null,
        suite.ws.workspaceId,
        {
          appId,
          source: { kind: 'version', versionId: version.id },
          inputs: {},
        },
      );
      ids.push(runId);
      expect(await runSequenceNumber(suite.database.db, appId, runId)).toBe(i + 1);
    }
    expect(await runSequenceNumber(suite.database.db, appId, ids[1] as string)).toBe(2);
  });

  it('keeps counting once its mark has moved past earlier runs', async () => {
    const appId = await publishedApp('Counted later', 'x');
    const version = await latestPublishedVersion(suite.database.db, apiApp(appId));
    const start = async () =>
      (
        await startRun(suite.database.db, suite.h.runtime.engine, null, suite.ws.workspaceId, {
          appId,
          source: { kind: 'version', versionId: version.id },
          inputs: {},
        })
      ).runId;
    const number = (runId: string) => runSequenceNumber(suite.database.db, appId, runId);
    const first = await start();
    expect(await number(first)).toBe(1);
    expect(await number(await start())).toBe(2);
    // The mark settles runs older than two seconds: these two are then counted from it.
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    const third = await start();
    expect(await number(third)).toBe(3);
    expect(await number(await start())).toBe(4);
    // A run from before the mark is counted in full, one after it from the mark.
    expect(await number(first)).toBe(1);
    expect(await number(third)).toBe(3);
  });

  it('describes a finished run from the engine’s notice exactly as a read does', async () => {
    const app = await suite.owner.caller.apps.create({ ...suite.ws, name: 'Branches', kind: 'workflow' });
    const at = { x: 0, y: 0 };
    const definition = {
      schemaVersion: 1,
      nodes: [
        {
          id: 'start',
          type: 'start',
          title: 'Start',
          config: { inputs: [{ name: 'n', type: 'number', required: true }] },
          position: at,
        },
        {
          id: 'check',
          type: 'condition',
          title: 'Check',
          config: {
            cases: [
              { id: 'big', logic: 'and', conditions: [{ left: '{{start.n}}', operator: 'gt', right: 10 }] },
            ],
          },
          position: at,
        },
        { id: 'big', type: 'template', title: 'Big', config: { template: 'big' }, position: at },
        { id: 'small', type: 'template', title: 'Small', config: { template: 'small' }, position: at },
        {
          id: 'pick',
          type: 'join',
          title: 'Pick',
          config: { mode: 'first', values: { a: '{{big.text}}', b: '{{small.text}}' } },
          position: at,
        },
        {
          id: 'end',
          type: 'end',
          title: 'End',
          config: { outputs: { size: '{{pick.value}}' } },
          position: at,
        },
      ],
      edges: [
        { id: 'e1', source: 'start', sourceHandle: null, target: 'check', targetHandle: null },
        { id: 'e2', source: 'check', sourceHandle: 'big', target: 'big', targetHandle: null },
        { id: 'e3', source: 'check', sourceHandle: 'else', target: 'small', targetHandle: null },
        { id: 'e4', source: 'big', sourceHandle: null, target: 'pick', targetHandle: null },
        { id: 'e5', source: 'small', sourceHandle: null, target: 'pick', targetHandle: null },
        { id: 'e6', source: 'pick', sourceHandle: null, target: 'end', targetHandle: null },
      ],
    };
    const draft = await suite.owner.caller.apps.getDraft({ ...suite.ws, appId: app.id });
    await suite.owner.caller.apps.saveDraft({
      ...suite.ws,
      appId: app.id,
      baseRevision: draft.revision,
      definition,
    } as never);
    await suite.owner.caller.apps.publish({ ...suite.ws, appId: app.id });
    const version = await latestPublishedVersion(suite.database.db, apiApp(app.id));
    const scope = { workspaceId: suite.ws.workspaceId, appId: app.id };
    for (const n of [3, 30]) {
      const notices: FinishedRun[] = [];
      const { runId } = await startRun(
        suite.database.db,
        suite.h.runtime.engine,
        null,
        suite.ws.workspaceId,
        {
          appId: app.id,
          source: { kind: 'version', versionId: version.id },
          inputs: { n },
        },
      );
      const off = suite.h.runtime.engine.bus.onRunFinished(runId, (_status, run) => run && notices.push(run));
      await vi.waitFor(() => expect(notices).toHaveLength(1));
      off();
      const fromNotice = finishedRunData(scope, runId, notices[0]);
      const read = await loadWorkflowRun(suite.database.db, scope, runId);
      expect(fromNotice).toEqual(read);
      expect(read).toMatchObject({ status: 'succeeded', outputs: { size: n > 10 ? 'big' : 'small' } });
      expect(read.total_steps).toBeGreaterThan(0);
      // Another app's scope gets nothing from the notice.
      expect(finishedRunData({ ...scope, appId: crypto.randomUUID() }, runId, notices[0])).toBeNull();
    }
  });

  it('uses a provider change for the next model call', async () => {
    const first = await suite.owner.caller.providers.create({
      ...suite.ws,
      name: 'First',
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: 'sk-first',
      isDefault: true,
    });
    expect((await resolveModelTarget(suite.database.db, { APP_SECRET }, suite.ws.workspaceId)).apiKey).toBe(
      'sk-first',
    );
    await suite.owner.caller.providers.update({
      ...suite.ws,
      providerId: first.id,
      name: 'First',
      apiKey: 'sk-rotated',
    });
    expect((await resolveModelTarget(suite.database.db, { APP_SECRET }, suite.ws.workspaceId)).apiKey).toBe(
      'sk-rotated',
    );
    const second = await suite.owner.caller.providers.create({
      ...suite.ws,
      name: 'Second',
      apiKey: 'sk-second',
      isDefault: true,
    });
    expect(
      (await resolveModelTarget(suite.database.db, { APP_SECRET }, suite.ws.workspaceId)).providerName,
    ).toBe('Second');
    await suite.owner.caller.providers.delete({ ...suite.ws, providerId: second.id });
    await expect(
      resolveModelTarget(suite.database.db, { APP_SECRET }, suite.ws.workspaceId),
    ).rejects.toMatchObject({
      code: 'llm_no_provider',
    });
  });
});
