// Test helpers: the reference values written by tools/fixtures/counting_fixtures.py
// (numpy/scipy) into testdata/counting/, and the point files they were computed on.
import type { Points } from "./points.ts";

const DIR = new URL("../../testdata/counting/", import.meta.url);

/** The TS options of a kernel case, as the fixture script wrote them. */
export interface CaseOptions {
  kernel: "fixed" | "adaptive" | "nonuniform" | "boxes";
  sigma?: number;
  includeSelf?: boolean;
  /** Fill points.sizes with 2 √(area / π) (and drop boxes) before calling. */
  useSizes?: boolean;
}

/** One kernel on one real image. */
export interface ImageKernelCase {
  options: CaseOptions;
  sigmas: number[];
  sum: number;
  cropTopLeft: number[];
  cropCentre: number[];
  pooled: number[];
  segmentation: string;
  segmentationPixels: number;
  foregroundPixels: number;
}

/** One real image. */
export interface ImageCase {
  dataset: string;
  pointsFile: string;
  height: number;
  width: number;
  pool: number;
  count: number;
  kernels: Record<string, ImageKernelCase>;
  game: Record<string, number[]>;
}

/** One small synthetic set. */
export interface SyntheticCase {
  points: [number, number][];
  height: number;
  width: number;
  kept: number;
  kernels: Record<
    string,
    { options: CaseOptions; sigmas: number[]; sum: number; map: number[]; segmentation: string }
  >;
}

/** The whole reference file. */
export interface CountingReference {
  truncate: number;
  crop: number;
  images: ImageCase[];
  synthetic: Record<string, SyntheticCase>;
  globalDensity: {
    counts: number[];
    pixels: number;
    patchPixels: number;
    patchCounts: Record<string, number[]>;
    levels: Record<
      string,
      { step: number; patchLevels: Record<string, number[]>; denseLevel: number }
    >;
  };
  metrics: {
    predicted: number[];
    truth: number[];
    mae: number;
    rmse: number;
    nmae: number;
    nmaeImages: number;
  };
}

let cached: CountingReference | undefined;

/** Reads testdata/counting/counting_reference.json (once). */
export async function loadReference(): Promise<CountingReference> {
  cached ??= JSON.parse(await Deno.readTextFile(new URL("counting_reference.json", DIR)));
  return cached!;
}

/** Reads a point file of our JSON layout (`{points, areas?, boxes?}`) into Points. */
export async function loadPoints(
  file: string,
): Promise<{ points: Points; areas?: number[] }> {
  const raw = JSON.parse(await Deno.readTextFile(new URL(file, DIR)));
  const n = raw.points.length;
  const points: Points = { x: new Float32Array(n), y: new Float32Array(n) };
  raw.points.forEach(([x, y]: [number, number], i: number) => {
    points.x[i] = x;
    points.y[i] = y;
  });
  if (raw.boxes) points.boxes = Float32Array.from(raw.boxes.flat());
  return { points, areas: raw.areas };
}

/** The points a case's options ask for (sizes from areas for `useSizes`). */
export function pointsFor(points: Points, areas: number[] | undefined, o: CaseOptions): Points {
  if (!o.useSizes) return points;
  const sizes = Float32Array.from(areas!, (a) => 2 * Math.sqrt(a / Math.PI));
  return { x: points.x, y: points.y, sizes };
}

/** The case's options without the test-only `useSizes`. */
export function kernelOptions(o: CaseOptions): Omit<CaseOptions, "useSizes"> {
  const { useSizes: _, ...rest } = o;
  return rest;
}

/** Decodes a map packed by the fixture script (zlib of numpy.packbits, base64). */
export async function unpackBits(b64: string, length: number): Promise<Uint8Array> {
  const packed = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
  return out;
}

/** Largest |a[i] − b[i]|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Largest |a[i] − b[i]| / |b[i]|. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return m;
}

/** A `size × size` crop of a row-major map at (row, col). */
export function crop(
  data: Float32Array,
  width: number,
  row: number,
  col: number,
  size: number,
): Float32Array {
  const out = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    out.set(data.subarray((row + i) * width + col, (row + i) * width + col + size), i * size);
  }
  return out;
}
