// What each workspace role may do: viewer reads; reviewer reads (and later acts on reviews);
// editor builds; owner also manages members.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import type { Role } from '@/server/services/roles';
import { testDatabases } from '../support/databases';
import { type Caller, errorCodeOf, signUpUser } from '../support/trpc-harness';

describe.each(testDatabases())('roles on $name', ({ open }) => {
  let database: Database;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  let appId: string;
  const as: Partial<Record<Role, { caller: Caller; userId: string }>> = {};
  const callerFor = (role: Role) => {
    const entry = as[role];
    if (!entry) throw new Error(`no ${role} user`);
    return entry.caller;
  };

  beforeAll(async () => {
    database = await open();
    owner = await signUpUser(database.db, 'role-owner');
    ws = { workspaceId: owner.workspaceId };
    appId = (await owner.caller.apps.create({ ...ws, name: 'Shared app', kind: 'workflow' })).id;
    for (const role of ['viewer', 'reviewer', 'editor'] as const) {
      const { token } = await owner.caller.workspace.invite({ ...ws, role });
      const member = await signUpUser(database.db, `role-${role}`, token);
      as[role] = { caller: member.caller, userId: member.user.id };
    }
  });
  afterAll(() => database.close());

  const draftInput = async () => {
    const draft = await owner.caller.apps.getDraft({ ...ws, appId });
    return { ...ws, appId, baseRevision: draft.revision, definition: draft.definition };
  };

  it('every role can read apps, drafts, versions and members', async () => {
    for (const role of ['viewer', 'reviewer', 'editor', 'owner'] as const) {
      const caller = role === 'owner' ? owner.caller : callerFor(role);
      expect((await caller.apps.list(ws)).map((a) => a.id)).toContain(appId);
      expect((await caller.apps.getDraft({ ...ws, appId })).revision).toBeGreaterThan(0);
      expect(await caller.apps.versions({ ...ws, appId })).toBeInstanceOf(Array);
      expect((await caller.workspace.members(ws)).length).toBe(4);
      expect((await caller.workspace.get(ws)).role).toBe(role);
    }
  });

  it('viewer cannot save or publish', async () => {
    const viewer = callerFor('viewer');
    expect(await errorCodeOf(viewer.apps.saveDraft(await draftInput()))).toBe('FORBIDDEN');
    expect(await errorCodeOf(viewer.apps.publish({ ...ws, appId }))).toBe('FORBIDDEN');
    expect(await owner.caller.apps.versions({ ...ws, appId })).toEqual([]);
  });

  it('reviewer cannot edit apps', async () => {
    const reviewer = callerFor('reviewer');
    expect(await errorCodeOf(reviewer.apps.create({ ...ws, name: 'Nope', kind: 'chat' }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(reviewer.apps.update({ ...ws, appId, name: 'Renamed' }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(reviewer.apps.saveDraft(await draftInput()))).toBe('FORBIDDEN');
    expect(await errorCodeOf(reviewer.apps.delete({ ...ws, appId }))).toBe('FORBIDDEN');
    expect((await owner.caller.apps.get({ ...ws, appId })).name).toBe('Shared app');
    expect(await owner.caller.apps.list(ws)).toHaveLength(1);
  });

  it('editor builds and publishes but cannot manage members', async () => {
    const editor = callerFor('editor');
    const saved = await editor.apps.saveDraft(await draftInput());
    expect(saved.revision).toBeGreaterThan(1);
    expect((await editor.apps.publish({ ...ws, appId })).versionNumber).toBe(1);

    const viewerId = as.viewer?.userId ?? '';
    expect(await errorCodeOf(editor.workspace.invite({ ...ws, role: 'editor' }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(editor.workspace.invitations(ws))).toBe('FORBIDDEN');
    expect(await errorCodeOf(editor.workspace.changeRole({ ...ws, userId: viewerId, role: 'owner' }))).toBe(
      'FORBIDDEN',
    );
    expect(await errorCodeOf(editor.workspace.removeMember({ ...ws, userId: viewerId }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(editor.workspace.rename({ ...ws, name: 'Mine now' }))).toBe('FORBIDDEN');
    const members = await owner.caller.workspace.members(ws);
    expect(members.find((m) => m.userId === viewerId)?.role).toBe('viewer');
  });

  it('owner manages members, and the last owner cannot be removed or demoted', async () => {
    const viewerId = as.viewer?.userId ?? '';
    await owner.caller.workspace.changeRole({ ...ws, userId: viewerId, role: 'reviewer' });
    expect((await callerFor('viewer').workspace.get(ws)).role).toBe('reviewer');
    expect(
      await errorCodeOf(owner.caller.workspace.changeRole({ ...ws, userId: owner.user.id, role: 'editor' })),
    ).toBe('CONFLICT');
    expect(await errorCodeOf(owner.caller.workspace.removeMember({ ...ws, userId: owner.user.id }))).toBe(
      'CONFLICT',
    );
    await owner.caller.workspace.removeMember({ ...ws, userId: viewerId });
    expect(await errorCodeOf(callerFor('viewer').apps.list(ws))).toBe('NOT_FOUND');
  });
});
