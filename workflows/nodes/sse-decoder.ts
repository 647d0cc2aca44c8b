// Server-Sent Events as a model provider streams them, decoded from text that arrives in arbitrary
// pieces: a line may be split across reads, lines end in \n, \r\n or \r, an event ends at a blank
// line, several `data:` lines of one event are joined with \n, and comment lines (`:`) are skipped.

export interface SseEvent {
  /** The `event:` field, or null when the event had none. */
  event: string | null;
  data: string;
}

export class SseDecoder {
  private rest = '';
  /** A \r ended the last piece: a \n opening the next one belongs to that line ending. */
  private pendingCr = false;
  private event: string | null = null;
  private data: string[] = [];

  /** Feeds the next piece of text; returns the events it completed. */
  push(text: string): SseEvent[] {
    let input = text;
    if (this.pendingCr && input.startsWith('\n')) input = input.slice(1);
    this.pendingCr = false;
    const out: SseEvent[] = [];
    let start = 0;
    const source = this.rest + input;
    for (let i = this.rest.length; i < source.length; i++) {
      const ch = source.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.line(source.slice(start, i), out);
      if (ch === 13) {
        if (i + 1 === source.length) this.pendingCr = true;
        else if (source.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.rest = source.slice(start);
    return out;
  }

  private line(line: string, out: SseEvent[]) {
    if (line === '') {
      if (this.data.length > 0 || this.event !== null)
        out.push({ event: this.event, data: this.data.join('\n') });
      this.event = null;
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}
