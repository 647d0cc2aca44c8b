// The Build tab's test-run panel: a form for the start node's declared inputs, "Run draft", the
// run's live status, each node's status / timing / tokens (select one to see its output), quick
// review decisions for a paused test run, and for chat apps a chat preview that streams the
// answer and keeps the conversation.
'use client';

import { type FormEvent, useMemo, useState } from 'react';
import { buttonClass } from '@/components/ui/button';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { isFinished, type RunViewState } from './run-view-state';

interface StartInput {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  required?: boolean;
  description?: string;
}

export interface TestRunPanelProps {
  kind: 'chat' | 'workflow';
  definition: WorkflowDefinition;
  run: RunViewState;
  canRun: boolean;
  busy: boolean;
  error: string | null;
  onRun(inputs: Record<string, unknown>): void;
  onDecide(signal: string, decision: 'approve' | 'reject'): void;
  onCancel(): void;
  selectedNodeId: string | null;
  onSelectNode(nodeId: string): void;
}

function startInputs(definition: WorkflowDefinition): StartInput[] {
  const start = definition.nodes.find((n) => n.type === 'start' && !n.parentId);
  const inputs = (start?.config as { inputs?: StartInput[] } | undefined)?.inputs;
  return Array.isArray(inputs) ? inputs : [];
}

/** Turns the form's text values into typed inputs; returns the first problem instead when one is bad. */
function typedInputs(
  declared: StartInput[],
  values: Record<string, string>,
): { inputs: Record<string, unknown> } | { problem: string } {
  const inputs: Record<string, unknown> = {};
  for (const input of declared) {
    const raw = values[input.name] ?? '';
    if (input.type === 'boolean') {
      inputs[input.name] = raw === 'true';
      continue;
    }
    if (raw.trim() === '') {
      if (input.required) return { problem: `${input.name}: is required` };
      continue;
    }
    if (input.type === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) return { problem: `${input.name}: must be a number` };
      inputs[input.name] = n;
    } else if (input.type === 'object' || input.type === 'array') {
      try {
        inputs[input.name] = JSON.parse(raw);
      } catch {
        return { problem: `${input.name}: must be JSON` };
      }
    } else inputs[input.name] = raw;
  }
  return { inputs };
}

function formatMs(ms: number | undefined) {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

interface ChatMessage {
  role: 'user' | 'assistant';
  text: string;
}

export function TestRunPanel(props: TestRunPanelProps) {
  const { definition, run } = props;
  const declared = useMemo(() => startInputs(definition), [definition]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const [chat, setChat] = useState<ChatMessage[]>([]);
  const [message, setMessage] = useState('');
  const titles = useMemo(() => new Map(definition.nodes.map((n) => [n.id, n.title || n.id])), [definition]);
  const running = run.runId !== null && !isFinished(run);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const typed = typedInputs(declared, values);
    if ('problem' in typed) {
      setFormProblem(typed.problem);
      return;
    }
    setFormProblem(null);
    props.onRun(typed.inputs);
  };

  const send = (event: FormEvent) => {
    event.preventDefault();
    const text = message.trim();
    if (!text) return;
    // The previous answer joins the conversation before the next question.
    const answered = previousAnswer(run);
    const history: ChatMessage[] = answered ? [...chat, { role: 'assistant', text: answered }] : chat;
    setChat([...history, { role: 'user', text }]);
    setMessage('');
    const typed = typedInputs(
      declared.filter((i) => i.name !== 'query' && i.name !== 'history'),
      values,
    );
    const extra = 'inputs' in typed ? typed.inputs : {};
    const wantsHistory = declared.some((i) => i.name === 'history');
    props.onRun({
      ...extra,
      query: text,
      ...(wantsHistory ? { history: history.map((m) => ({ role: m.role, content: m.text })) } : {}),
    });
  };

  const streamedAnswer = Object.values(run.streamed).join('');
  const finalAnswer = typeof run.outputs?.answer === 'string' ? run.outputs.answer : undefined;
  const liveAnswer = finalAnswer ?? (streamedAnswer || undefined);
  const reviewSignal = run.waitingFor.find((w) => w.startsWith('review:'));
  const selected = props.selectedNodeId ? run.nodes[props.selectedNodeId] : undefined;

  return (
    <section className="test-run stack" aria-labelledby="test-run-title">
      <h2 id="test-run-title" className="panel-title">
        Test run
      </h2>
      {props.kind === 'chat' ? (
        <div className="chat-preview stack">
          <ol className="chat-log" aria-label="Conversation" aria-live="polite">
            {chat.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages are only ever appended
              <li key={i} className={`chat-message chat-${m.role}`}>
                <span className="sr-only">{m.role === 'user' ? 'You' : 'Assistant'}: </span>
                {m.text}
              </li>
            ))}
            {run.runId && liveAnswer ? (
              <li className="chat-message chat-assistant" data-testid="chat-answer">
                <span className="sr-only">Assistant: </span>
                {liveAnswer}
              </li>
            ) : null}
          </ol>
          <form className="row" onSubmit={send}>
            <label htmlFor="chat-message" className="sr-only">
              Message
            </label>
            <input
              id="chat-message"
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              placeholder="Ask something…"
              disabled={!props.canRun || running}
            />
            <button
              type="submit"
              className={buttonClass('primary')}
              disabled={!props.canRun || running || !message.trim()}
            >
              Send
            </button>
            {chat.length > 0 ? (
              <button
                type="button"
                className={buttonClass('secondary')}
                onClick={() => setChat([])}
                disabled={running}
              >
                New chat
              </button>
            ) : null}
          </form>
        </div>
      ) : (
        <form className="stack" onSubmit={submit} aria-label="Run inputs">
          {declared.length === 0 ? <p className="muted">The start node declares no inputs.</p> : null}
          {declared.map((input) => {
            const id = `run-input-${input.name}`;
            return (
              <div className="field" key={input.name}>
                <label htmlFor={id}>
                  {input.name}
                  {input.required ? ' (required)' : ''} <span className="muted">{input.type}</span>
                </label>
                {input.type === 'boolean' ? (
                  <select
                    id={id}
                    value={values[input.name] ?? 'false'}
                    onChange={(e) => setValues({ ...values, [input.name]: e.target.value })}
                  >
                    <option value="false">false</option>
                    <option value="true">true</option>
                  </select>
                ) : input.type === 'object' || input.type === 'array' ? (
                  <textarea
                    id={id}
                    className="mono"
                    rows={3}
                    value={values[input.name] ?? ''}
                    onChange={(e) => setValues({ ...values, [input.name]: e.target.value })}
                    placeholder={input.type === 'array' ? '[ ]' : '{ }'}
                  />
                ) : (
                  <input
                    id={id}
                    type={input.type === 'number' ? 'number' : 'text'}
                    value={values[input.name] ?? ''}
                    onChange={(e) => setValues({ ...values, [input.name]: e.target.value })}
                  />
                )}
                {input.description ? <p className="hint">{input.description}</p> : null}
              </div>
            );
          })}
          {formProblem ? (
            <p role="alert" className="error-text">
              {formProblem}
            </p>
          ) : null}
          <div className="row">
            <button
              type="submit"
              className={buttonClass('primary')}
              disabled={!props.canRun || props.busy || running}
            >
              {props.busy ? 'Starting…' : 'Run draft'}
            </button>
            {running ? (
              <button type="button" className={buttonClass('secondary')} onClick={props.onCancel}>
                Cancel run
              </button>
            ) : null}
          </div>
        </form>
      )}
      {props.error ? (
        <p role="alert" className="error-text">
          {props.error}
        </p>
      ) : null}

      {run.runId ? (
        <div className="stack">
          <p aria-live="polite" data-testid="run-status">
            Run <span className={`badge status-${run.status}`}>{run.status.replace('_', ' ')}</span>
            {run.error?.message ? <span className="error-text"> {run.error.message}</span> : null}
          </p>
          {reviewSignal ? (
            <fieldset className="row plain-fieldset">
              <legend className="muted">Waiting for a review.</legend>
              <button
                type="button"
                className={buttonClass('secondary')}
                onClick={() => props.onDecide(reviewSignal, 'approve')}
              >
                Approve
              </button>
              <button
                type="button"
                className={buttonClass('secondary')}
                onClick={() => props.onDecide(reviewSignal, 'reject')}
              >
                Reject
              </button>
            </fieldset>
          ) : null}
          <ul className="run-nodes" aria-label="Node results">
            {Object.entries(run.nodes).map(([nodeId, node]) => (
              <li key={nodeId}>
                <button
                  type="button"
                  className={`run-node${props.selectedNodeId === nodeId ? ' selected' : ''}`}
                  onClick={() => props.onSelectNode(nodeId)}
                  aria-pressed={props.selectedNodeId === nodeId}
                >
                  <span className={`badge status-${node.status}`}>{node.status}</span>
                  <span>{titles.get(nodeId) ?? nodeId}</span>
                  <span className="muted">
                    {formatMs(node.elapsedMs)}
                    {node.attempts > 1 ? ` · ${node.attempts} attempts` : ''}
                    {node.tokens ? ` · ${node.tokens.prompt + node.tokens.completion} tokens` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {selected && props.selectedNodeId ? (
            <section
              className="node-output"
              aria-label={`Output of ${titles.get(props.selectedNodeId) ?? ''}`}
            >
              <h3 className="panel-subtitle">Output of {titles.get(props.selectedNodeId)}</h3>
              {selected.error ? <p className="error-text">{selected.error.message}</p> : null}
              <pre className="code-block" data-testid="node-output">
                {JSON.stringify(selected.output ?? null, null, 2)}
              </pre>
            </section>
          ) : null}
        </div>
      ) : (
        <p className="muted">Run the draft to see each node's status and output here.</p>
      )}
    </section>
  );
}

function previousAnswer(run: RunViewState): string | undefined {
  if (!run.runId || !isFinished(run)) return undefined;
  if (typeof run.outputs?.answer === 'string') return run.outputs.answer;
  const streamed = Object.values(run.streamed).join('');
  return streamed || undefined;
}
