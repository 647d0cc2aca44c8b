// A node type's icon on the canvas and in the palette. Node specs give either a glyph (an emoji such
// as '🤖') or a short icon name ('play', 'git-branch'); names map to a glyph here, and anything
// unknown falls back to the type's first letter. Always decorative: the title next to it names it.
import { memo } from 'react';

// Emoji, because every platform's fonts have them (symbols such as ⑂ are often missing).
const GLYPHS: Record<string, string> = {
  play: '▶️',
  flag: '🏁',
  'message-square': '💬',
  'message-circle': '💬',
  bot: '🤖',
  brain: '🧠',
  sparkles: '✨',
  'git-branch': '🔀',
  'git-merge': '🔀',
  split: '🔀',
  repeat: '🔁',
  clock: '⏳',
  timer: '⏳',
  hourglass: '⏳',
  globe: '🌐',
  code: '🧩',
  braces: '🧩',
  'file-text': '📝',
  variable: '🏷️',
  tag: '🏷️',
  eye: '👀',
  'user-check': '👀',
  search: '🔍',
  database: '🗄️',
  compass: '🧭',
  magnet: '🧲',
  'bar-chart': '📊',
  'trending-up': '📈',
};

function glyphFor(icon: string, type: string): string {
  if (icon && !/^[a-z0-9-]+$/i.test(icon)) return icon;
  return GLYPHS[icon] ?? (type.charAt(0).toUpperCase() || '•');
}

export const NodeIcon = memo(function NodeIcon({ icon, type }: { icon: string; type: string }) {
  return (
    <span className="wf-node-icon" aria-hidden="true">
      {glyphFor(icon, type)}
    </span>
  );
});
