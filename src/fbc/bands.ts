/**
 * The rings of the frequency-band correspondence (Fig. 3 of the thesis): the
 * centred spectrum is split into N rings of equal radial width around the zero
 * frequency. Following the author's published measure, the centre is
 * `(W // 2, H // 2)`, the outer radius is `W // 2` (half the width) and ring
 * `n` holds the elements whose distance d to the centre satisfies
 * `r(n-1) < d <= r(n)` with `r(n) = (W // 2) * s(n)`, `s = linspace(1/N, 1, N)`
 * (numpy's arithmetic, so that the masks are identical element for element);
 * the corners outside the outer circle belong to no ring. Masks are cached per
 * size.
 *
 * @module
 */
import { assertNumber } from "../core/checks.ts";

/** Ring labels of one spectrum size. */
export interface RingBands {
  /** Number of rows. */
  height: number;
  /** Number of columns. */
  width: number;
  /** Number of rings. */
  bands: number;
  /** Per element (row-major): its ring, 0 (lowest frequency) to N - 1, or -1 outside the outer circle. */
  label: Int16Array;
  /** Number of elements in each ring. */
  counts: number[];
  /** Outer radius of each ring, in spectrum elements. */
  radii: number[];
}

const cache = new Map<string, RingBands>();
const CACHE_LIMIT = 32;

/**
 * numpy's `linspace(start, stop, num)` (endpoint included), with the same
 * floating-point arithmetic: `start + i * ((stop - start) / (num - 1))`, the
 * last value set to `stop`.
 *
 * @param start First value.
 * @param stop Last value.
 * @param num Number of values.
 * @returns The values.
 */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * The ring of every element of a centred `height × width` spectrum.
 *
 * @param height Spectrum rows.
 * @param width Spectrum columns.
 * @param bands Number of rings N (an integer >= 1).
 * @returns The labels and ring sizes (cached: do not mutate).
 * @example
 * ```ts
 * import { ringBands } from "./bands.ts";
 * const r = ringBands(8, 8, 2);
 * console.log(r.counts, r.label[4 * 8 + 4]); // [13, 34] 0: the centre is in the lowest band
 * ```
 */
export function ringBands(height: number, width: number, bands: number): RingBands {
  assertNumber(height, "height", { min: 1, integer: true });
  assertNumber(width, "width", { min: 1, integer: true });
  assertNumber(bands, "bands", { min: 1, integer: true });
  if (bands > 32767) throw new RangeError(`bands must be <= 32767, got ${bands}`);
  const key = `${height}x${width}x${bands}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const cx = width >> 1, cy = height >> 1;
  const radii = linspace(1 / bands, 1, bands).map((s) => cx * s);
  const label = new Int16Array(height * width).fill(-1);
  const counts = new Array<number>(bands).fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.sqrt((x - cx) ** 2 + (y - cy) ** 2);
      // The first ring whose outer radius reaches d (radii increase).
      let n = 0;
      while (n < bands && d > radii[n]) n++;
      if (n < bands) {
        label[y * width + x] = n;
        counts[n]++;
      }
    }
  }
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) {
    throw new RangeError(
      `bands must be small enough that every ring holds a spectrum element: ` +
        `with ${bands} bands on a ${height}x${width} spectrum, band ${empty} is empty`,
    );
  }
  const rings: RingBands = { height, width, bands, label, counts, radii };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, rings);
  return rings;
}
