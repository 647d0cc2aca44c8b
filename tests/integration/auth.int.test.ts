// Sign-up, sign-in, sign-out and invitations against real databases.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { memberships, sessions, users, workspaces } from '@/db/schema';
import { testDatabases } from '../support/databases';
import {
  callerAs,
  errorCodeOf,
  errorOf,
  httpMutation,
  STRONG_PASSWORD,
  sessionTokenFrom,
  signUpUser,
  uniqueEmail,
} from '../support/trpc-harness';

describe.each(testDatabases())('auth on $name', ({ open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(() => database.close());

  const rowCounts = async () => {
    const db = database.db;
    const [u] = await db.select({ n: count() }).from(users);
    const [w] = await db.select({ n: count() }).from(workspaces);
    const [m] = await db.select({ n: count() }).from(memberships);
    return { users: u?.n, workspaces: w?.n, memberships: m?.n };
  };

  it('sign-up creates a workspace owned by the new user and a session', async () => {
    const { caller, user, workspaceId } = await signUpUser(database.db, 'owner');
    const me = await caller.auth.me();
    expect(me?.user.id).toBe(user.id);
    expect(me?.workspaces).toEqual([{ id: workspaceId, name: "owner's workspace", role: 'owner' }]);
    const [stored] = await database.db.select().from(users).where(eq(users.id, user.id));
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain(STRONG_PASSWORD);
  });

  it('the session cookie is http-only and only its hash is stored', async () => {
    const anonymous = await callerAs(database.db, null);
    await anonymous.caller.auth.signUp({ email: uniqueEmail('cookie'), password: STRONG_PASSWORD, name: '' });
    const header = anonymous.resHeaders.getSetCookie()[0] ?? '';
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Lax/);
    const token = sessionTokenFrom(anonymous.resHeaders);
    const rows = await database.db.select().from(sessions);
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });

  it('refuses a weak password naming the field, and writes nothing', async () => {
    const before = await rowCounts();
    const res = await httpMutation(
      database.db,
      'auth.signUp',
      { email: uniqueEmail('weak'), password: 'short1', name: 'Weak' },
      null,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.field).toBe('password');
    expect(res.error?.message).toMatch(/at least 10 characters/);
    const common = await httpMutation(
      database.db,
      'auth.signUp',
      { email: uniqueEmail('weak'), password: 'password123', name: 'Weak' },
      null,
    );
    expect(common.error?.message).toMatch(/commonly used/);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a duplicate e-mail (any case) with CONFLICT, and writes nothing', async () => {
    const { email } = await signUpUser(database.db, 'dup');
    const before = await rowCounts();
    const res = await httpMutation(
      database.db,
      'auth.signUp',
      { email: email.toUpperCase(), password: STRONG_PASSWORD, name: 'Again' },
      null,
    );
    expect(res.status).toBe(409);
    expect(res.error?.data.field).toBe('email');
    expect(res.error?.message).toMatch(/already exists/);
    expect(await rowCounts()).toEqual(before);
  });

  it('two simultaneous sign-ups with one e-mail: one account, the other gets CONFLICT', async () => {
    const email = uniqueEmail('race');
    const attempts = await Promise.allSettled(
      [1, 2, 3].map(async () => {
        const { caller } = await callerAs(database.db, null);
        return caller.auth.signUp({ email, password: STRONG_PASSWORD, name: 'Race' });
      }),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const a of attempts)
      if (a.status === 'rejected') expect((a.reason as { code?: string }).code).toBe('CONFLICT');
    const rows = await database.db.select({ n: count() }).from(users).where(eq(users.email, email));
    expect(rows[0]?.n).toBe(1);
  });

  it('refuses a malformed e-mail with BAD_REQUEST naming the field', async () => {
    const res = await httpMutation(
      database.db,
      'auth.signUp',
      { email: 'not-an-email', password: STRONG_PASSWORD },
      null,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.field).toBe('email');
  });

  it('signs in with the right password only, and signs out', async () => {
    const { email } = await signUpUser(database.db, 'signin');
    const anonymous = await callerAs(database.db, null);
    expect(await errorCodeOf(anonymous.caller.auth.signIn({ email, password: 'Wrong-Password-1' }))).toBe(
      'UNAUTHORIZED',
    );
    const unknown = await errorOf(
      anonymous.caller.auth.signIn({ email: uniqueEmail('nobody'), password: STRONG_PASSWORD }),
    );
    expect(unknown.message).toBe('Incorrect e-mail or password');

    await anonymous.caller.auth.signIn({ email, password: STRONG_PASSWORD });
    const token = sessionTokenFrom(anonymous.resHeaders);
    const signedIn = await callerAs(database.db, token);
    expect((await signedIn.caller.auth.me())?.user.email).toBe(email);

    await signedIn.caller.auth.signOut();
    expect(signedIn.resHeaders.getSetCookie()[0]).toMatch(/Expires=Thu, 01 Jan 1970/);
    const after = await callerAs(database.db, token);
    expect(await after.caller.auth.me()).toBeNull();
    expect(await errorCodeOf(after.caller.workspace.list())).toBe('UNAUTHORIZED');
  });

  it('an invitation link adds the invitee with its role, once', async () => {
    const owner = await signUpUser(database.db, 'inviter');
    const { token } = await owner.caller.workspace.invite({ workspaceId: owner.workspaceId, role: 'editor' });
    const anonymous = await callerAs(database.db, null);
    const preview = await anonymous.caller.auth.invitation({ token });
    expect(preview).toMatchObject({
      workspaceName: "inviter's workspace",
      role: 'editor',
      inviterName: 'inviter',
    });

    const invitee = await signUpUser(database.db, 'invitee', token);
    expect(invitee.workspaceId).toBe(owner.workspaceId);
    const members = await owner.caller.workspace.members({ workspaceId: owner.workspaceId });
    expect(members.find((m) => m.userId === invitee.user.id)?.role).toBe('editor');
    expect(await invitee.caller.workspace.list()).toEqual([
      { id: owner.workspaceId, name: "inviter's workspace", role: 'editor' },
    ]);

    const third = await signUpUser(database.db, 'third');
    expect(await errorCodeOf(third.caller.auth.acceptInvitation({ token }))).toBe('CONFLICT');
    expect(await owner.caller.workspace.invitations({ workspaceId: owner.workspaceId })).toEqual([]);
  });

  it('an existing user accepts an invitation into a second workspace; revoked links stop working', async () => {
    const owner = await signUpUser(database.db, 'ws-owner');
    const other = await signUpUser(database.db, 'ws-other');
    const first = await owner.caller.workspace.invite({ workspaceId: owner.workspaceId, role: 'viewer' });
    expect(await other.caller.auth.acceptInvitation({ token: first.token })).toEqual({
      workspaceId: owner.workspaceId,
    });
    expect((await other.caller.workspace.list()).map((w) => w.role).sort()).toEqual(['owner', 'viewer']);

    const second = await owner.caller.workspace.invite({ workspaceId: owner.workspaceId, role: 'editor' });
    await owner.caller.workspace.revokeInvitation({
      workspaceId: owner.workspaceId,
      invitationId: second.invitation.id,
    });
    const late = await signUpUser(database.db, 'late');
    expect(await errorCodeOf(late.caller.auth.acceptInvitation({ token: second.token }))).toBe('NOT_FOUND');
  });
});
