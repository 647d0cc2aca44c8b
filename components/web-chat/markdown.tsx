// A small, safe markdown renderer for chat answers: paragraphs (single newlines kept as line
// breaks), **bold**, `code`, fenced code blocks, bulleted and numbered lists, and links (http,
// https and mailto only; they open in a new tab with rel=noopener). Everything becomes React
// elements, never HTML strings, so any HTML in the answer is shown as text. An unclosed code fence
// (an answer still streaming) runs to the end.
import { Fragment, type ReactNode } from 'react';

type Block =
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'paragraph'; text: string };

const FENCE = /^\s*```\s*([\w+-]*)\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;

export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', text: paragraph.join('\n') });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const fence = line.match(FENCE);
    if (fence) {
      flush();
      const code: string[] = [];
      i++;
      while (i < lines.length && !FENCE.test(lines[i] as string)) code.push(lines[i++] as string);
      blocks.push({ kind: 'code', lang: fence[1] ?? '', text: code.join('\n') });
      continue;
    }
    const bullet = line.match(BULLET);
    const numbered = bullet ? null : line.match(NUMBERED);
    if (bullet || numbered) {
      flush();
      const ordered = Boolean(numbered);
      const pattern = ordered ? NUMBERED : BULLET;
      const items = [((bullet ?? numbered) as RegExpMatchArray)[1] ?? ''];
      while (i + 1 < lines.length && pattern.test(lines[i + 1] as string))
        items.push(((lines[++i] as string).match(pattern) as RegExpMatchArray)[1] ?? '');
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n][^\n]*?\*\*)|(\[[^\]\n]+\]\([^)\s]+\))/g;

/** A link target that is safe to follow: http(s) or mailto, else null. */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function inline(text: string, key: string, allowBold = true): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const match of text.matchAll(INLINE)) {
    const [whole] = match;
    const at = match.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const k = `${key}-${n++}`;
    if (match[1]) out.push(<code key={k}>{whole.slice(1, -1)}</code>);
    else if (match[2] && allowBold) out.push(<strong key={k}>{inline(whole.slice(2, -2), k, false)}</strong>);
    else if (match[3]) {
      const split = whole.lastIndexOf('](');
      const label = whole.slice(1, split);
      const href = safeHref(whole.slice(split + 2, -1));
      out.push(
        href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer">
            {label}
          </a>
        ) : (
          label
        ),
      );
    } else out.push(whole);
    last = at + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function withBreaks(text: string, key: string): ReactNode[] {
  return text.split('\n').map((line, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their position
    <Fragment key={i}>
      {i > 0 ? <br /> : null}
      {inline(line, `${key}-${i}`)}
    </Fragment>
  ));
}

export function Markdown({ text }: { text: string }) {
  return (
    <>
      {parseBlocks(text).map((block, i) => {
        const key = `b${i}`;
        if (block.kind === 'code')
          return (
            <pre key={key}>
              <code data-lang={block.lang || undefined}>{block.text}</code>
            </pre>
          );
        if (block.kind === 'list') {
          const items = block.items.map((item, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: list items have no identity beyond their position
            <li key={j}>{inline(item, `${key}-${j}`)}</li>
          ));
          return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
        }
        return <p key={key}>{withBreaks(block.text, key)}</p>;
      })}
    </>
  );
}
