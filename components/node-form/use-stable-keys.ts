// React keys for the items of a list value, which carry no ids of their own. Keys follow items
// through the list editor's own add / remove / move, so a moved item keeps its DOM (and any draft
// text inside it); a change of length from outside just pads or trims.
'use client';

import { useRef } from 'react';

export interface StableKeys {
  keys: string[];
  insert(at: number): void;
  remove(at: number): void;
  move(from: number, to: number): void;
}

export function useStableKeys(length: number): StableKeys {
  const state = useRef({ keys: [] as string[], next: 0 });
  const s = state.current;
  while (s.keys.length < length) s.keys.push(`item-${s.next++}`);
  if (s.keys.length > length) s.keys.length = length;
  return {
    keys: [...s.keys],
    insert(at) {
      s.keys.splice(at, 0, `item-${s.next++}`);
    },
    remove(at) {
      s.keys.splice(at, 1);
    },
    move(from, to) {
      const [key] = s.keys.splice(from, 1);
      if (key !== undefined) s.keys.splice(Math.max(0, Math.min(s.keys.length, to)), 0, key);
    },
  };
}
