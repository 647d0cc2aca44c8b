// Sizes and placement rules the canvas shares between rendering, layout and editing: how big a node
// card is before the browser has measured it, how a loop container grows around its children, and
// which loop a point falls into when a node is dropped.

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** Node cards have a fixed width in CSS (.wf-node), so only their height needs estimating. */
export const NODE_WIDTH = 240;
/** A generous guess of a card's height until it is measured, so loops are not drawn too small. */
export const NODE_HEIGHT_ESTIMATE = 96;
/** Space at the top of a loop container for its header (title, summary, badges). */
export const LOOP_HEADER = 84;
/** Space between a loop's border and its children. */
export const LOOP_PADDING = 24;
export const LOOP_MIN_SIZE: Size = { width: 360, height: 200 };
/** How far each paste moves the copy away from the original. */
export const PASTE_OFFSET = 40;

/** A node's size: measured when the browser has laid it out, estimated otherwise. */
export function sizeOrEstimate(measured: Partial<Size> | undefined): Size {
  return {
    width: measured?.width || NODE_WIDTH,
    height: measured?.height || NODE_HEIGHT_ESTIMATE,
  };
}

/** The size a loop needs to hold children at these (relative) positions and sizes. */
export function containerSize(children: { position: Point; size: Size }[]): Size {
  let width = LOOP_MIN_SIZE.width;
  let height = LOOP_MIN_SIZE.height;
  for (const child of children) {
    width = Math.max(width, child.position.x + child.size.width + LOOP_PADDING);
    height = Math.max(height, child.position.y + child.size.height + LOOP_PADDING);
  }
  return { width: Math.ceil(width), height: Math.ceil(height) };
}

/** Keeps a child's top-left corner clear of its loop's header and border. */
export function clampIntoContainer(position: Point): Point {
  return { x: Math.max(LOOP_PADDING, position.x), y: Math.max(LOOP_HEADER, position.y) };
}

export interface ContainerRect {
  id: string;
  /** Absolute position on the canvas. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The innermost container (smallest area) that contains `point`, if any. */
export function containerAt(point: Point, containers: ContainerRect[]): ContainerRect | undefined {
  let best: ContainerRect | undefined;
  for (const rect of containers) {
    const inside =
      point.x >= rect.x &&
      point.x <= rect.x + rect.width &&
      point.y >= rect.y &&
      point.y <= rect.y + rect.height;
    if (inside && (!best || rect.width * rect.height < best.width * best.height)) best = rect;
  }
  return best;
}

export interface Rect extends Point, Size {}

const overlaps = (a: Rect, b: Rect, gap: number) =>
  a.x < b.x + b.width + gap &&
  b.x < a.x + a.width + gap &&
  a.y < b.y + b.height + gap &&
  b.y < a.y + a.height + gap;

/**
 * The free spot nearest to `position` (trying rings of card-sized steps around it) where a box of
 * `size` overlaps none of `taken`, so a node added at the view's centre never hides another one.
 */
export function freeSpotNear(position: Point, size: Size, taken: Rect[], gap = 16): Point {
  const candidates: Point[] = [];
  for (let ring = 0; ring <= 6; ring++) {
    for (let dx = -ring; dx <= ring; dx++) {
      for (let dy = -ring; dy <= ring; dy++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        candidates.push({
          x: position.x + dx * (size.width + gap),
          y: position.y + dy * (size.height + gap),
        });
      }
    }
  }
  const distance = (p: Point) => Math.hypot(p.x - position.x, p.y - position.y);
  candidates.sort((a, b) => distance(a) - distance(b));
  return candidates.find((c) => !taken.some((t) => overlaps({ ...c, ...size }, t, gap))) ?? position;
}

export const roundPoint = (p: Point): Point => ({ x: Math.round(p.x), y: Math.round(p.y) });
