// The sign-in and sign-up form: labelled fields, server errors in an alert, the bad field marked.
'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type FormEvent, useEffect, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';

const LABELS = { name: 'Name', email: 'Email', password: 'Password' };

interface AuthFormProps {
  mode: 'sign-in' | 'sign-up';
  /** Sign-up through an invitation link joins that workspace instead of creating one. */
  inviteToken?: string;
  /** Where to go after signing in (a path on this site). */
  next?: string;
}

export function AuthForm({ mode, inviteToken, next }: AuthFormProps) {
  const trpc = useTRPC();
  const isSignUp = mode === 'sign-up';
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const done = () => window.location.assign(next ?? '/studio');
  const signIn = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess: done }));
  const signUp = useMutation(trpc.auth.signUp.mutationOptions({ onSuccess: done }));
  const invitation = useQuery(
    trpc.auth.invitation.queryOptions({ token: inviteToken ?? '' }, { enabled: isSignUp && !!inviteToken }),
  );

  const invitedEmail = invitation.data?.email;
  useEffect(() => {
    if (invitedEmail) setEmail((current) => current || invitedEmail);
  }, [invitedEmail]);

  const active = isSignUp ? signUp : signIn;
  const busy = active.isPending || active.isSuccess;
  const badField = errorField(active.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    if (isSignUp) signUp.mutate({ name, email, password, inviteToken: inviteToken || undefined });
    else signIn.mutate({ email, password });
  }

  // Switching pages keeps where the user was headed (an invitation, usually).
  const returnTo = isSignUp && inviteToken ? `/invite/${encodeURIComponent(inviteToken)}` : next;
  const otherHref = `${isSignUp ? '/sign-in' : '/sign-up'}${returnTo ? `?next=${encodeURIComponent(returnTo)}` : ''}`;

  return (
    <div className="card auth-card stack">
      <div>
        <Link href="/" className="brand">
          Weft
        </Link>
        <h1>{isSignUp ? 'Create your account' : 'Sign in to Weft'}</h1>
      </div>

      {inviteToken && isSignUp ? (
        invitation.data ? (
          <p className="banner banner-success">
            You are joining {invitation.data.workspaceName} as {invitation.data.role}
          </p>
        ) : invitation.error ? (
          <ErrorBanner error={`This invitation can’t be used: ${invitation.error.message}`} />
        ) : (
          <p className="muted">Checking your invitation…</p>
        )
      ) : null}

      <form className="stack" onSubmit={onSubmit} noValidate>
        <ErrorBanner error={active.error} labels={LABELS} />
        {isSignUp ? (
          <TextField
            label="Name"
            name="name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            invalid={badField === 'name'}
            maxLength={100}
          />
        ) : null}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          invalid={badField === 'email'}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete={isSignUp ? 'new-password' : 'current-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          invalid={badField === 'password'}
          hint={isSignUp ? 'At least 10 characters, mixing letters, digits or symbols.' : undefined}
        />
        <Button type="submit" variant="primary" disabled={busy}>
          {isSignUp ? (busy ? 'Creating…' : 'Create account') : busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>

      <p className="muted">
        {isSignUp ? 'Already have an account? ' : 'New to Weft? '}
        <Link href={otherHref}>{isSignUp ? 'Sign in instead' : 'Create an account'}</Link>
      </p>
    </div>
  );
}
