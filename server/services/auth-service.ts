// Accounts and sessions: sign-up (creating a personal workspace, or joining one through an
// invitation), sign-in, sign-out and session lookup.
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { isUniqueViolation } from '@/db/errors';
import { sessions, users } from '@/db/schema';
import { hashPassword, passwordWeakness, verifyPassword } from '@/server/auth/password';
import { SESSION_TTL_MS } from '@/server/auth/session-cookie';
import { hashToken, newToken } from '@/server/auth/tokens';
import { badInput, DomainError } from '@/server/errors';
import { acceptInvitationInTx, createWorkspaceInTx } from './workspace-service';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface IssuedSession {
  user: SessionUser;
  token: string;
  expiresAt: Date;
  workspaceId: string | null;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// A real argon2 hash to verify against when the e-mail is unknown, so both failures take as long.
let dummyHash: Promise<string> | undefined;

async function issueSession(db: Db, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.insert(sessions).values({ userId, tokenHash: hashToken(token), expiresAt });
  return { token, expiresAt };
}

export async function signUp(
  db: Db,
  input: { email: string; password: string; name: string; inviteToken?: string },
): Promise<IssuedSession> {
  const email = normalizeEmail(input.email);
  const weakness = passwordWeakness(input.password, email);
  if (weakness) throw badInput('password', `Password ${weakness}`);
  const name = input.name.trim() || email.split('@')[0] || email;
  const passwordHash = await hashPassword(input.password);

  const duplicateEmail = () =>
    new DomainError('CONFLICT', 'email: An account with this e-mail already exists', 'email');
  const { user, workspaceId } = await db
    .transaction(async (tx) => {
      const existing = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
      if (existing.length > 0) throw duplicateEmail();
      const [user] = await tx.insert(users).values({ email, name, passwordHash }).returning();
      if (!user) throw new Error('user insert returned nothing');
      const workspaceId = input.inviteToken
        ? await acceptInvitationInTx(tx, user.id, input.inviteToken)
        : (await createWorkspaceInTx(tx, user.id, `${name}'s workspace`)).id;
      return { user, workspaceId };
    })
    .catch((error: unknown) => {
      // Two sign-ups racing with one e-mail: the unique index decides, the loser gets CONFLICT.
      throw isUniqueViolation(error) ? duplicateEmail() : error;
    });
  const session = await issueSession(db, user.id);
  return { user: { id: user.id, email: user.email, name: user.name }, workspaceId, ...session };
}

export async function signIn(db: Db, input: { email: string; password: string }): Promise<IssuedSession> {
  const email = normalizeEmail(input.email);
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) {
    dummyHash ??= hashPassword('not-a-real-password-0');
    await verifyPassword(await dummyHash, input.password);
    throw new DomainError('UNAUTHORIZED', 'Incorrect e-mail or password');
  }
  if (!(await verifyPassword(user.passwordHash, input.password)))
    throw new DomainError('UNAUTHORIZED', 'Incorrect e-mail or password');
  const session = await issueSession(db, user.id);
  return { user: { id: user.id, email: user.email, name: user.name }, workspaceId: null, ...session };
}

export async function signOut(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
}

export async function userForSessionToken(db: Db, token: string): Promise<SessionUser | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, new Date())));
  return row ?? null;
}
