// The top bar's notifications: a button with the unread count that opens a panel listing the
// member's notifications (reviews waiting, reminders). Opening one marks it read; "Mark all read"
// clears the count. Escape or a click outside closes the panel and gives the focus back.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useId, useRef, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { ErrorBanner } from '@/components/ui/error-banner';
import { RelativeTime } from '@/components/ui/time';

const POLL_MS = 10_000;

function BellIcon() {
  return (
    <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="none">
      <path
        d="M6 9a6 6 0 1 1 12 0c0 5 2 6.5 2 6.5H4S6 14 6 9Zm4 10a2 2 0 0 0 4 0"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function NotificationsMenu({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const notes = useQuery({
    ...trpc.reviews.notifications.queryOptions({ workspaceId }),
    refetchInterval: open ? 3000 : POLL_MS,
  });
  const markRead = useMutation(
    trpc.reviews.markNotificationsRead.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.reviews.notifications.queryKey() }),
    }),
  );
  const unread = notes.data?.unread ?? 0;

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    const onPointer = (event: MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onPointer);
    };
  }, [open]);

  return (
    <div className="notifications" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-ghost btn-sm notifications-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        data-count={unread > 0 ? (unread > 99 ? '99+' : String(unread)) : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon />
      </button>
      {open ? (
        <section id={panelId} className="notifications-panel" aria-labelledby={`${panelId}-title`}>
          <div className="row">
            <h2 id={`${panelId}-title`} className="spacer">
              Notifications
            </h2>
            {unread > 0 ? (
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                disabled={markRead.isPending}
                onClick={() => markRead.mutate({ workspaceId })}
              >
                Mark all read
              </button>
            ) : null}
          </div>
          <ErrorBanner error={notes.error ?? markRead.error} />
          {notes.isPending ? <p className="muted">Loading…</p> : null}
          {notes.data && notes.data.items.length === 0 ? (
            <p className="muted">No notifications yet. Reviews that wait for you show up here.</p>
          ) : null}
          {notes.data && notes.data.items.length > 0 ? (
            <ul className="notifications-list">
              {notes.data.items.map((n) => {
                const text = (
                  <>
                    <span className="notifications-title">
                      {n.readAt ? null : <span className="sr-only">Unread: </span>}
                      {n.title}
                    </span>
                    <span className="muted notifications-time">
                      <RelativeTime date={n.createdAt} />
                    </span>
                  </>
                );
                const onOpen = () => {
                  if (!n.readAt) markRead.mutate({ workspaceId, ids: [n.id] });
                  setOpen(false);
                };
                return (
                  <li key={n.id} className={n.readAt ? undefined : 'notifications-unread'}>
                    {n.link?.startsWith('/') ? (
                      <Link href={n.link} onClick={onOpen}>
                        {text}
                      </Link>
                    ) : (
                      <button type="button" className="notifications-plain" onClick={onOpen}>
                        {text}
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
