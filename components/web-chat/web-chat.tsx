// The public chat page's client: a conversation list (hidden when embedded), the messages of the
// open conversation with the answer rendered as it streams in, and a message form (Enter sends,
// Shift+Enter adds a line). The visitor is an anonymous id kept in localStorage per chat (or the
// `user` the embedding page passed). Talks to /api/web/<token>/….
'use client';

import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Markdown } from './markdown';
import styles from './web-chat.module.css';

interface Conversation {
  id: string;
  name: string;
}

interface Turn {
  id: string;
  query: string;
  answer: string;
  status: 'streaming' | 'done' | 'error';
  error?: string;
}

export interface WebChatProps {
  token: string;
  name: string;
  description: string;
  embed: boolean;
  inputs: Record<string, unknown>;
  user: string | null;
}

function visitorId(token: string, given: string | null): string {
  if (given) return given;
  const key = `weft-chat-user:${token}`;
  try {
    const stored = window.localStorage.getItem(key);
    if (stored) return stored;
    const id = `anon-${crypto.randomUUID()}`;
    window.localStorage.setItem(key, id);
    return id;
  } catch {
    // Storage is blocked (e.g. third-party iframes in some browsers): a per-visit id.
    return `anon-${crypto.randomUUID()}`;
  }
}

async function errorOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: string };
    return body.message ?? `Request failed (${res.status})`;
  } catch {
    return `Request failed (${res.status})`;
  }
}

/** Reads a Server-Sent Events body, calling `onEvent` with each `data:` JSON payload. */
async function readSse(res: Response, onEvent: (event: Record<string, unknown>) => void) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) onEvent(JSON.parse(data) as Record<string, unknown>);
      end = buffer.indexOf('\n\n');
    }
  }
}

export function WebChat({ token, name, description, embed, inputs, user: givenUser }: WebChatProps) {
  const api = `/api/web/${encodeURIComponent(token)}`;
  const inputId = useId();
  const [user, setUser] = useState<string | null>(null);
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [loadingMessages, setLoadingMessages] = useState(false);
  const [messagesError, setMessagesError] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => setUser(visitorId(token, givenUser)), [token, givenUser]);

  const loadConversations = useCallback(async () => {
    if (!user || embed) return;
    try {
      const res = await fetch(`${api}/conversations?user=${encodeURIComponent(user)}&limit=50`);
      if (!res.ok) throw new Error(await errorOf(res));
      const body = (await res.json()) as { data: Conversation[] };
      setConversations(body.data);
      setListError(null);
    } catch (error) {
      setListError(error instanceof Error ? error.message : String(error));
    }
  }, [api, user, embed]);

  useEffect(() => {
    void loadConversations();
  }, [loadConversations]);

  useEffect(() => {
    if (turns.length) endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [turns]);

  // Embedded: Escape inside the frame closes the bubble's panel too.
  useEffect(() => {
    if (!embed) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') window.parent.postMessage({ type: 'weft-chat:close' }, '*');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [embed]);

  function newChat() {
    abort.current?.abort();
    setConversationId(null);
    setTurns([]);
    setMessagesError(null);
    inputRef.current?.focus();
  }

  async function openConversation(id: string) {
    if (!user) return;
    abort.current?.abort();
    setConversationId(id);
    setTurns([]);
    setMessagesError(null);
    setLoadingMessages(true);
    try {
      const res = await fetch(
        `${api}/messages?user=${encodeURIComponent(user)}&conversation_id=${encodeURIComponent(id)}&limit=100`,
      );
      if (!res.ok) throw new Error(await errorOf(res));
      const body = (await res.json()) as {
        data: { id: string; query: string; answer: string; status: string; error: string | null }[];
      };
      setTurns(
        body.data.map((m) => ({
          id: m.id,
          query: m.query,
          answer: m.answer,
          status: m.status === 'error' ? 'error' : 'done',
          error: m.error ?? undefined,
        })),
      );
    } catch (error) {
      setMessagesError(error instanceof Error ? error.message : String(error));
    } finally {
      setLoadingMessages(false);
    }
  }

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const query = draft.trim();
    if (!query || sending || !user) return;
    const localId = `local-${Date.now()}`;
    const update = (change: Partial<Turn>) =>
      setTurns((all) => all.map((t) => (t.id === localId ? { ...t, ...change } : t)));
    setTurns((all) => [...all, { id: localId, query, answer: '', status: 'streaming' }]);
    setDraft('');
    setSending(true);
    const controller = new AbortController();
    abort.current = controller;
    let answer = '';
    let failed: string | null = null;
    try {
      const res = await fetch(`${api}/chat-messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, user, inputs, conversation_id: conversationId }),
        signal: controller.signal,
      });
      if (!res.ok || !res.body) throw new Error(await errorOf(res));
      await readSse(res, (e) => {
        if (typeof e.conversation_id === 'string' && !conversationId) setConversationId(e.conversation_id);
        if (e.event === 'message' && typeof e.answer === 'string') {
          answer += e.answer;
          update({ answer });
        } else if (e.event === 'message_replace' && typeof e.answer === 'string') {
          answer = e.answer;
          update({ answer });
        } else if (e.event === 'error') {
          failed = typeof e.message === 'string' ? e.message : 'The app failed to answer';
        }
      });
      update(failed ? { status: 'error', error: failed } : { status: 'done' });
    } catch (error) {
      if (controller.signal.aborted) return;
      update({ status: 'error', error: error instanceof Error ? error.message : String(error) });
    } finally {
      if (abort.current === controller) abort.current = null;
      setSending(false);
      void loadConversations();
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <div className={`${styles.shell} ${embed ? styles.embed : ''}`}>
      {embed ? null : (
        <nav className={styles.sidebar} aria-label="Conversations">
          <button type="button" className="btn btn-primary" onClick={newChat}>
            New chat
          </button>
          {listError ? (
            <p className={styles.error} role="alert">
              Could not load conversations: {listError}{' '}
              <button type="button" className="btn btn-sm" onClick={() => void loadConversations()}>
                Retry
              </button>
            </p>
          ) : null}
          {conversations === null && !listError ? <p className="muted">Loading…</p> : null}
          {conversations?.length === 0 ? <p className="muted">No conversations yet.</p> : null}
          {conversations && conversations.length > 0 ? (
            <ul className={styles.list}>
              {conversations.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    className={styles.conversation}
                    aria-current={c.id === conversationId ? 'true' : undefined}
                    onClick={() => void openConversation(c.id)}
                  >
                    {c.name || 'Untitled conversation'}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </nav>
      )}
      <main className={styles.main}>
        <header className={styles.header}>
          <h1 className={styles.title}>{name}</h1>
          {embed ? (
            <button type="button" className="btn btn-sm" onClick={newChat}>
              New chat
            </button>
          ) : null}
        </header>
        <div className={styles.messages} role="log" aria-live="polite" aria-label="Messages">
          {loadingMessages ? <p className="muted">Loading messages…</p> : null}
          {messagesError ? (
            <p className={styles.error} role="alert">
              Could not load the conversation: {messagesError}
            </p>
          ) : null}
          {!loadingMessages && !messagesError && turns.length === 0 ? (
            <div className={styles.empty}>
              <p>{description || 'Ask a question to start the conversation.'}</p>
            </div>
          ) : null}
          {turns.map((t) => (
            <div key={t.id} className={styles.turn}>
              <div className={styles.question}>
                <span className="sr-only">You: </span>
                {t.query}
              </div>
              <div className={styles.answer} data-status={t.status}>
                <span className="sr-only">Answer: </span>
                {t.answer ? <Markdown text={t.answer} /> : null}
                {t.status === 'streaming' && !t.answer ? <span className="muted">Thinking…</span> : null}
                {t.status === 'error' ? (
                  <p className={styles.error} role="alert">
                    {t.error ?? 'The app failed to answer'}
                  </p>
                ) : null}
              </div>
            </div>
          ))}
          <div ref={endRef} />
        </div>
        <form className={styles.form} onSubmit={send}>
          <label htmlFor={inputId} className="sr-only">
            Message
          </label>
          <textarea
            id={inputId}
            ref={inputRef}
            className={styles.input}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            rows={2}
            maxLength={100_000}
            placeholder="Type a message… (Enter to send, Shift+Enter for a new line)"
            disabled={!user}
          />
          <button type="submit" className="btn btn-primary" disabled={sending || !draft.trim() || !user}>
            {sending ? 'Sending…' : 'Send'}
          </button>
        </form>
      </main>
    </div>
  );
}
