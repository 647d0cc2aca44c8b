// A list field: rows of inputs for lists of scalars (stop words), repeated sub-forms for lists of
// objects (condition cases, start inputs, classifier classes). Items can be added, removed and
// moved; order matters (cases are tested in order), and focus follows the item that moved.
'use client';

import { useEffect, useRef } from 'react';
import { initialValue } from './field-defaults';
import { useFieldFrame } from './field-frame';
import { displayValue, singular } from './field-labels';
import type { ArrayModel, FieldModel } from './field-model';
import { FieldGroup } from './field-shell';
import { type FieldProps, SchemaField } from './schema-field';
import { useStableKeys } from './use-stable-keys';
import { childId, moveItem, pathAttr, removeItem, setAtPath } from './value-path';

const SCALARS = new Set<FieldModel['kind']>(['string', 'number', 'boolean', 'enum', 'const']);

/** "Case 2 · urgent": an object item's number and, when it has one, its name. */
function itemTitle(name: string, index: number, item: unknown): string {
  const base = `${name} ${index + 1}`;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return base;
  const record = item as Record<string, unknown>;
  const tag = [record.name, record.id, record.label].find((v) => typeof v === 'string' && v !== '');
  return tag === undefined ? base : `${base} · ${displayValue(tag)}`;
}

type Focus = { index: number; control: 'first' | 'up' | 'down' } | 'add' | null;

export function ArrayField(props: FieldProps<ArrayModel>) {
  const { model, path, id, label, required, value, onChange } = props;
  const frame = useFieldFrame(props);
  const { readOnly } = frame;
  const list: unknown[] = Array.isArray(value) ? value : Array.isArray(model.default) ? model.default : [];
  const stable = useStableKeys(list.length);
  const itemName = singular(label);
  const scalar = SCALARS.has(model.items.kind);
  const rootRef = useRef<HTMLFieldSetElement>(null);
  const focusNext = useRef<Focus>(null);
  const canAdd = !readOnly && (model.maxItems === undefined || list.length < model.maxItems);
  const canRemove = !readOnly && list.length > (model.minItems ?? 0);

  // Moving or removing an item re-renders the list; put focus back where the keyboard user was.
  useEffect(() => {
    const target = focusNext.current;
    const root = rootRef.current;
    if (!target || !root) return;
    focusNext.current = null;
    if (target === 'add') {
      root.querySelector<HTMLElement>('[data-list-action="add"]')?.focus();
      return;
    }
    const item = root.querySelector(`[data-item-index="${target.index}"]`);
    const wanted =
      target.control === 'first'
        ? item?.querySelector<HTMLElement>('input, select, textarea')
        : item?.querySelector<HTMLElement>(`[data-list-action="${target.control}"]:not(:disabled)`);
    (wanted ?? item?.querySelector<HTMLElement>('button:not(:disabled)'))?.focus();
  });

  // An optional list emptied by the builder is omitted again, unless the schema has its own default.
  const emit = (next: unknown[]) =>
    onChange(next.length === 0 && !required && !model.hasDefault ? undefined : next);
  const add = () => {
    stable.insert(list.length);
    focusNext.current = { index: list.length, control: 'first' };
    emit([...list, initialValue(model.items)]);
  };
  const remove = (index: number) => {
    stable.remove(index);
    focusNext.current = 'add';
    emit(removeItem(list, index));
  };
  const move = (index: number, to: number, control: 'up' | 'down') => {
    stable.move(index, to);
    focusNext.current = { index: to, control };
    emit(moveItem(list, index, to));
  };

  const actions = (index: number, name: string) =>
    readOnly ? null : (
      <div className="nf-item-actions">
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          data-list-action="up"
          disabled={index === 0}
          aria-label={`Move ${name} up`}
          onClick={() => move(index, index - 1, 'up')}
        >
          ↑
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          data-list-action="down"
          disabled={index === list.length - 1}
          aria-label={`Move ${name} down`}
          onClick={() => move(index, index + 1, 'down')}
        >
          ↓
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          disabled={!canRemove}
          aria-label={`Remove ${name}`}
          onClick={() => remove(index)}
        >
          Remove
        </button>
      </div>
    );

  return (
    <FieldGroup
      {...frame.group}
      // Only a list that must have items is marked: a required list may still be empty.
      required={required && (model.minItems ?? 0) > 0}
      className="nf-array"
      ref={rootRef}
    >
      {list.length === 0 ? <p className="muted nf-empty">None yet.</p> : null}
      {list.length > 0 ? (
        <ol className={scalar ? 'nf-list' : 'nf-items'}>
          {list.map((item, index) => {
            const name = `${itemName} ${index + 1}`;
            const itemPath = [...path, index];
            const itemId = childId(id, index);
            const change = (next: unknown) =>
              emit(setAtPath(list, [index], next ?? initialValue(model.items)) as unknown[]);
            // The item's editor: a row's label is read by screen readers only (the row shows no
            // label), an object item's fields go straight into the item's own fieldset.
            const field = (layout: { labelHidden: true } | { bare: true }) => (
              <SchemaField
                model={model.items}
                path={itemPath}
                id={itemId}
                label={name}
                required
                value={item}
                onChange={change}
                {...layout}
              />
            );
            return (
              <li
                key={stable.keys[index]}
                data-item-index={index}
                className={scalar ? 'nf-list-row' : 'nf-item'}
              >
                {scalar ? (
                  <>
                    {field({ labelHidden: true })}
                    {actions(index, name)}
                  </>
                ) : (
                  <fieldset className="nf-item-body" data-path={pathAttr(itemPath)}>
                    <legend>{itemTitle(itemName, index, item)}</legend>
                    {actions(index, name)}
                    {field({ bare: true })}
                  </fieldset>
                )}
              </li>
            );
          })}
        </ol>
      ) : null}
      {readOnly ? null : (
        <button
          type="button"
          className="btn btn-secondary btn-sm"
          data-list-action="add"
          disabled={!canAdd}
          onClick={add}
        >
          Add {itemName.toLowerCase()}
        </button>
      )}
    </FieldGroup>
  );
}
