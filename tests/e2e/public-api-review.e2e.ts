// Human review through the published API, against a real `npm start` server: a review pause shows up
// in the stream as human_input_required with a form token, GET /form/human_input/{token} returns the
// form, POST decides it and the run resumes with the decision; the token only works once, only for
// the run's own app, and a blocking call answers at the pause with the form.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DifyEvent, difyEvents } from '../support/public-api-sse';
import { createApiKey, edge, pos, publishApp, signUpOverHttp } from '../support/published-app';
import { startWeft, type WeftServer } from '../support/weft-server';

/** start → draft → review → approved: ok / rejected: no → pick → end. */
const reviewed = {
  schemaVersion: 1,
  nodes: [
    {
      id: 'start',
      type: 'start',
      title: 'Start',
      config: { inputs: [{ name: 'topic', type: 'string', required: true }] },
      position: pos,
    },
    {
      id: 'draft',
      type: 'template',
      title: 'Draft',
      config: { template: 'A note about {{start.topic}}' },
      position: pos,
    },
    {
      id: 'review',
      type: 'human-review',
      title: 'Editor check',
      config: { instructions: 'Check the note about {{start.topic}}', data: '{{draft.text}}' },
      position: pos,
    },
    { id: 'ok', type: 'template', title: 'Approved', config: { template: '{{review.data}}' }, position: pos },
    {
      id: 'no',
      type: 'template',
      title: 'Rejected',
      config: { template: 'rejected: {{review.comment}}' },
      position: pos,
    },
    {
      id: 'pick',
      type: 'join',
      title: 'Pick',
      config: { mode: 'first', values: { ok: '{{ok.text}}', no: '{{no.text}}' } },
      position: pos,
    },
    {
      id: 'end',
      type: 'end',
      title: 'End',
      config: {
        outputs: {
          result: '{{pick.value}}',
          decision: '{{review.decision}}',
          reviewer: '{{review.reviewer}}',
        },
      },
      position: pos,
    },
  ],
  edges: [
    edge('start', 'draft'),
    edge('draft', 'review'),
    edge('review', 'ok', 'approved'),
    edge('review', 'no', 'rejected'),
    edge('ok', 'pick'),
    edge('no', 'pick'),
    edge('pick', 'end'),
  ],
};

describe('published API: human review forms', () => {
  let server: WeftServer;
  let key: string;
  let otherKey: string;
  const v1 = (p: string) => `${server.url}/api/v1${p}`;
  const post = (p: string, token: string | null, body: unknown) =>
    fetch(v1(p), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const get = (p: string, token: string) => fetch(v1(p), { headers: { authorization: `Bearer ${token}` } });
  const form = (formToken: string) => `/form/human_input/${formToken}`;

  beforeAll(async () => {
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-api-review-')) });
    const { client, workspaceId } = await signUpOverHttp(server.url, {
      email: `review.${Date.now()}@example.test`,
      name: 'Integrator',
    });
    const { appId } = await publishApp(client, workspaceId, {
      name: 'Reviewed',
      kind: 'workflow',
      definition: reviewed,
    });
    key = (await createApiKey(client, workspaceId, appId, 'main')).token;
    const other = await publishApp(client, workspaceId, {
      name: 'Other',
      kind: 'workflow',
      definition: reviewed,
    });
    otherKey = (await createApiKey(client, workspaceId, other.appId, 'other')).token;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('pauses with a form in the stream, and the submitted edit resumes the same stream', async () => {
    const res = await post('/workflows/run', key, {
      inputs: { topic: 'owls' },
      response_mode: 'streaming',
      user: 'u1',
    });
    expect(res.status).toBe(200);
    const events: DifyEvent[] = [];
    let finished: DifyEvent | undefined;
    for await (const event of difyEvents(res)) {
      events.push(event);
      if (event.event === 'human_input_required') {
        const data = event.data as Record<string, unknown>;
        expect(data).toMatchObject({
          node_id: 'review',
          node_title: 'Editor check',
          form_content: 'Check the note about owls',
          resolved_default_values: { data: 'A note about owls', comment: '' },
          expiration_time: null,
        });
        const formToken = String(data.form_token);
        const shown = await get(form(formToken), key);
        expect(shown.status).toBe(200);
        expect(await shown.json()).toMatchObject({
          form_content: 'Check the note about owls',
          user_actions: [{ id: 'approve' }, { id: 'reject' }],
        });
        const submitted = await post(form(formToken), key, {
          inputs: { data: 'A better note about owls', comment: 'tightened' },
          action: 'approve',
          user: 'ann',
        });
        expect(submitted.status).toBe(200);
        expect(await submitted.json()).toEqual({});
        // The form is spent: a second submission and a second look are refused.
        const again = await post(form(formToken), key, { action: 'reject', user: 'bob' });
        expect(again.status).toBe(409);
        expect(await again.json()).toMatchObject({ code: 'conflict', status: 409 });
        expect((await get(form(formToken), key)).status).toBe(409);
      }
      if (event.event === 'workflow_finished') finished = event;
    }
    const names = events.map((e) => e.event);
    expect(names.indexOf('human_input_required')).toBeGreaterThan(names.indexOf('workflow_started'));
    expect(finished?.data).toMatchObject({
      status: 'succeeded',
      // The API's end user is recorded as the reviewer, marked as coming through the API.
      outputs: { result: 'A better note about owls', decision: 'edit', reviewer: 'ann (API)' },
    });
  });

  it('answers a blocking call at the pause with the form, and a rejection finishes the run', async () => {
    const res = await post('/workflows/run', key, {
      inputs: { topic: 'bats' },
      response_mode: 'blocking',
      user: 'u2',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      workflow_run_id: string;
      data: { status: string };
      human_input_required: { form_token: string; node_id: string }[];
    };
    expect(body.data.status).toBe('paused');
    expect(body.human_input_required).toHaveLength(1);
    const formToken = body.human_input_required[0]?.form_token ?? '';
    expect(
      (await post(form(formToken), key, { action: 'reject', user: 'bob', inputs: { comment: 'off topic' } }))
        .status,
    ).toBe(200);
    let run: { status: string; outputs: Record<string, unknown> | null } = {
      status: 'running',
      outputs: null,
    };
    for (let i = 0; i < 100 && run.status !== 'succeeded'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await (await get(`/workflows/run/${body.workflow_run_id}`, key)).json()) as typeof run;
    }
    expect(run).toMatchObject({
      status: 'succeeded',
      outputs: { result: 'rejected: off topic', decision: 'reject' },
    });
  });

  it('refuses other apps, altered tokens, missing keys and bad submissions without deciding', async () => {
    const res = await post('/workflows/run', key, {
      inputs: { topic: 'eels' },
      response_mode: 'blocking',
      user: 'u3',
    });
    const body = (await res.json()) as { human_input_required: { form_token: string }[] };
    const formToken = body.human_input_required[0]?.form_token ?? '';

    const foreign = await get(form(formToken), otherKey);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({
      code: 'not_found',
      message: expect.stringMatching(/^form_token:/),
    });
    expect((await post(form(formToken), otherKey, { action: 'approve', user: 'x' })).status).toBe(404);
    const altered = `${formToken.slice(0, -2)}${formToken.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await post(form(altered), key, { action: 'approve', user: 'x' })).status).toBe(404);
    expect((await post(form(formToken), null, { action: 'approve', user: 'x' })).status).toBe(401);

    const badAction = await post(form(formToken), key, { action: 'maybe', user: 'x' });
    expect(badAction.status).toBe(400);
    expect(await badAction.json()).toMatchObject({ message: expect.stringMatching(/^action: /) });
    const noUser = await post(form(formToken), key, { action: 'approve' });
    expect(noUser.status).toBe(400);
    expect(await noUser.json()).toMatchObject({ message: 'user: is required' });

    // None of that decided anything: the form still opens and takes a decision.
    expect((await get(form(formToken), key)).status).toBe(200);
    expect((await post(form(formToken), key, { action: 'approve', user: 'carol' })).status).toBe(200);
  });
});
