// The canvas's side panel for the selected node: its title, id, type, generated settings form,
// error handling and problems. Every edit hands the whole new node to onChange; the panel keeps
// no copy of the node, so undo and collaborative edits simply flow through it.
'use client';

import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ErrorHandling, WorkflowNode } from '@/workflows/dsl/definition';
import type { NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { ErrorHandlingSection } from './error-handling-section';
import { pathLabel } from './field-labels';
import { describedBy, FieldErrors } from './field-shell';
import { NodeConfigForm, type ReferenceOption } from './node-config-form';
import { partId, pathAttr } from './value-path';

export interface NodeInspectorProps {
  node: WorkflowNode;
  /** The node's type from the catalog; undefined when the type is unknown (settings become JSON). */
  nodeType: NodeTypeInfo | undefined;
  onChange(next: WorkflowNode): void;
  references: ReferenceOption[];
  secretNames: string[];
  /** This node's problems, paths relative to the node (e.g. ['config', 'url']). */
  problems: { path: (string | number)[]; message: string }[];
  readOnly?: boolean;
  onClose?(): void;
}

type Problem = NodeInspectorProps['problems'][number];

// A schema the form edits as one JSON object: the settings of a node type this build does not know.
const UNKNOWN_TYPE_SCHEMA: Record<string, unknown> = {
  type: 'object',
  description: 'The node’s settings as JSON',
};
const FOCUSABLE = 'input:not([type="hidden"]), select, textarea, button';

function under(problems: readonly Problem[], area: string): Problem[] {
  return problems.filter((p) => p.path[0] === area).map((p) => ({ ...p, path: p.path.slice(1) }));
}

export function NodeInspector(props: NodeInspectorProps) {
  const { node, nodeType, onChange, references, secretNames, problems, readOnly, onClose } = props;
  const baseId = useId();
  const headingId = partId(baseId, 'heading');
  const titleId = partId(baseId, 'title');
  const nodeIdId = partId(baseId, 'node-id');
  const problemsId = partId(baseId, 'problems');
  const rootRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState(false);

  const configErrors = useMemo(() => under(problems, 'config'), [problems]);
  const errorHandlingErrors = useMemo(() => under(problems, 'error'), [problems]);
  const titleErrors = problems
    .filter((p) => p.path.length === 1 && p.path[0] === 'title')
    .map((p) => p.message);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  const copyId = () => {
    navigator.clipboard?.writeText(node.id).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };

  const setErrorHandling = (next: ErrorHandling | undefined) => {
    const { error: _previous, ...rest } = node;
    onChange(next ? { ...rest, error: next } : rest);
  };

  /** Focuses the field a problem is about (or the closest one that exists). */
  const showProblem = (path: Problem['path']) => {
    const root = rootRef.current;
    if (!root) return;
    const [area, ...rest] = path;
    const scope =
      root.querySelector(`[data-area="${area === 'config' || area === 'error' ? area : 'node'}"]`) ?? root;
    const inner = area === 'config' || area === 'error' ? rest : path;
    for (let n = inner.length; n >= 0; n--) {
      const attr = pathAttr(inner.slice(0, n));
      const target =
        n === 0
          ? scope
          : Array.from(scope.querySelectorAll<HTMLElement>('[data-path]')).find(
              (el) => el.dataset.path === attr,
            );
      if (!target) continue;
      const control = target.matches(FOCUSABLE)
        ? (target as HTMLElement)
        : target.querySelector<HTMLElement>(FOCUSABLE);
      if (!control) continue;
      control.scrollIntoView?.({ block: 'center' });
      control.focus();
      return;
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    // Fields that use Escape themselves (suggestions, pickers, code) stop it before it gets here.
    if (event.key === 'Escape' && onClose && !event.defaultPrevented) {
      event.preventDefault();
      onClose();
    }
  };

  return (
    <section ref={rootRef} className="nf-inspector" aria-labelledby={headingId} onKeyDown={onKeyDown}>
      <header className="nf-inspector-head">
        {nodeType?.icon ? (
          <span className="nf-inspector-icon" aria-hidden="true">
            {nodeType.icon}
          </span>
        ) : null}
        <div className="nf-inspector-titles">
          <h2 id={headingId}>{node.title || nodeType?.title || node.id}</h2>
          <p className="muted">{nodeType ? nodeType.title : `Unknown node type “${node.type}”`}</p>
        </div>
        {onClose ? (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            aria-label="Close node settings"
            onClick={onClose}
          >
            ✕
          </button>
        ) : null}
      </header>
      {nodeType?.description ? (
        <p className="muted nf-inspector-description">{nodeType.description}</p>
      ) : null}
      {nodeType ? null : (
        <p className="banner">
          This version of Weft does not know the type “{node.type}”; its settings are shown as JSON.
        </p>
      )}

      <div className="nf-inspector-node stack" data-area="node">
        <div className="nf-field" data-path="title">
          <label htmlFor={titleId}>Title</label>
          <input
            id={titleId}
            type="text"
            value={node.title}
            maxLength={200}
            readOnly={readOnly}
            placeholder={nodeType?.title}
            aria-invalid={titleErrors.length > 0 ? true : undefined}
            aria-describedby={describedBy(titleId, null, titleErrors)}
            onChange={(event) => onChange({ ...node, title: event.target.value })}
          />
          <FieldErrors id={partId(titleId, 'error')} errors={titleErrors} />
        </div>
        <div className="nf-field" data-path="id">
          <label htmlFor={nodeIdId}>Node ID</label>
          <div className="nf-copy-row">
            <input
              id={nodeIdId}
              type="text"
              value={node.id}
              readOnly
              aria-describedby={partId(nodeIdId, 'hint')}
            />
            <button type="button" className="btn btn-secondary btn-sm" onClick={copyId}>
              Copy<span className="sr-only"> node ID</span>
            </button>
            <span role="status" className="nf-copied">
              {copied ? 'Copied' : ''}
            </span>
          </div>
          <p id={partId(nodeIdId, 'hint')} className="hint">
            Other nodes use this node’s outputs as {`{{${node.id}.field}}`}.
          </p>
        </div>
      </div>

      {problems.length > 0 ? (
        <section className="nf-problems" aria-labelledby={problemsId}>
          <h3 id={problemsId}>{problems.length === 1 ? '1 problem' : `${problems.length} problems`}</h3>
          <ul>
            {problems.map((p) => (
              <li key={`${pathAttr(p.path)}|${p.message}`}>
                <button type="button" className="nf-problem" onClick={() => showProblem(p.path)}>
                  {p.path.length > 0 ? <span className="nf-problem-where">{pathLabel(p.path)}</span> : null}
                  <span>{p.message}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="nf-section" aria-labelledby={partId(baseId, 'settings')} data-area="config">
        <h3 id={partId(baseId, 'settings')}>Settings</h3>
        {nodeType?.container ? (
          <p className="hint">Drag nodes into this node on the canvas to build the body it repeats.</p>
        ) : null}
        <NodeConfigForm
          // Fields keep drafts (half-typed JSON, a chosen value kind); another node starts afresh.
          key={node.id}
          schema={nodeType?.configSchema ?? UNKNOWN_TYPE_SCHEMA}
          value={node.config}
          onChange={(config) => onChange({ ...node, config })}
          idPrefix={partId(baseId, 'config')}
          references={references}
          secretNames={secretNames}
          readOnly={readOnly}
          errors={configErrors}
        />
      </section>

      {nodeType?.supportsErrorHandling || node.error ? (
        <div data-area="error">
          <ErrorHandlingSection
            key={node.id}
            value={node.error}
            onChange={setErrorHandling}
            idPrefix={partId(baseId, 'error-handling')}
            readOnly={readOnly}
            errors={errorHandlingErrors}
          />
        </div>
      ) : null}
    </section>
  );
}
