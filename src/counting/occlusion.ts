/**
 * Creating occlusions to handle occlusion (thesis Sec. 5.4): an augmentation
 * that pastes copies of objects over their neighbours, with the density map
 * updated so that the count after augmentation is the count before plus the
 * number of objects pasted, exactly.
 *
 * Objects are discs `(x_i, y_i, 2σ_i)` around the point annotations, σ_i the
 * standard deviation of the point's Gaussian (the thesis follows Lempitsky
 * & Zisserman in taking the radius as 2σ). For each occlusion:
 *
 * 1. pick an object O_occ at random and one of its `neighbours` nearest
 *    objects O_copy at random (the text says "one of its neighbouring
 *    objects"; 3 nearest by default);
 * 2. the paste position (eq. 5.1): `x = ⌊r cos θ⌋ + x_occ`,
 *    `y = ⌊r sin θ⌋ + y_occ`, `r = 2σ_copy + 2σ_occ ε_r`, `θ = 2π ε_θ`,
 *    `ε ~ U(0, 1)`; a position outside the image is drawn again (up to 10
 *    times, then that occlusion is skipped, and not counted);
 * 3. blending (eq. 5.2): Î is I with the disc of O_copy (and a margin of
 *    3 σ_blend) moved to the paste position; α the binary disc of radius
 *    2σ_copy there, α̃ = α smoothed by a Gaussian of σ_blend (default
 *    `max(1, σ_copy / 2)` px: the text does not give it);
 *    `I_occ = (1 − α̃) ⊙ I + α̃ ⊙ Î`;
 * 4. `D_occ = D + G(O_paste)`: a unit-mass Gaussian of σ_copy at the paste
 *    position, truncated at 3σ and renormalised inside the image, so it adds
 *    exactly 1 to the count.
 *
 * How many: a fraction `β / M̄` of the objects (β = 0.3), M̄ the occlusion
 * level of eq. 5.3 ({@linkcode occlusionLevel}), rounded to the nearest
 * integer; a fixed `fraction` can be given instead.
 *
 * Images are {@linkcode ImageArray}s: HWC float32 in plain arrays (the data
 * pipeline works on the CPU).
 *
 * @module
 */
import { assertNumber, describe } from "../core/checks.ts";
import { Rng } from "../core/rng.ts";
import { type Points, type PointsLike, toPoints } from "./points.ts";

/** An image as plain data: HWC float32. */
export interface ImageArray {
  /** Pixel values, row-major HWC. */
  data: Float32Array;
  /** `[height, width, channels]`. */
  shape: [number, number, number];
}

/** Options of {@linkcode createOcclusion}. */
export interface OcclusionOptions {
  /** σ of each point's Gaussian (the object radius is 2σ), same order as the points. */
  sigmas: Float32Array | readonly number[];
  /** The density map `[H, W]` of the image (default: none, only the pasted objects' mass). */
  density?: Float32Array;
  /** Upper bound β of the fraction of objects occluded (default 0.3). */
  beta?: number;
  /** A fixed fraction of objects to occlude instead of β / M̄. */
  fraction?: number;
  /** How many nearest objects O_copy is drawn from (default 3). */
  neighbours?: number;
  /** σ of the blending mask's smoothing in pixels (default `max(1, σ_copy / 2)`). */
  blendSigma?: number;
  /** Seed (default 0), or a generator to draw from. */
  seed?: number | Rng;
}

/** One pasted object. */
export interface PastedObject {
  /** Index of the occluded object. */
  occluded: number;
  /** Index of the copied object. */
  copied: number;
  /** Paste position (column). */
  x: number;
  /** Paste position (row). */
  y: number;
  /** σ of the pasted object (σ_copy). */
  sigma: number;
}

/** What {@linkcode createOcclusion} returns. */
export interface OcclusionResult {
  /** The occluded image I_occ. */
  image: ImageArray;
  /** D_occ: the density plus a unit-mass Gaussian per pasted object. */
  density: Float32Array;
  /** The points: the originals followed by one per pasted object. */
  points: Points;
  /** σ of every point of `points`. */
  sigmas: Float32Array;
  /** The pasted objects, in order. */
  pasted: PastedObject[];
}

function checkImage(image: ImageArray, name = "image"): [number, number, number] {
  const shape = image?.shape;
  if (
    !image || !(image.data instanceof Float32Array) || !Array.isArray(shape) || shape.length !== 3
  ) {
    throw new TypeError(
      `${name} must be {data: Float32Array, shape: [h, w, c]}, got ${describe(image)}`,
    );
  }
  const [h, w, c] = shape;
  if (image.data.length !== h * w * c) {
    throw new RangeError(
      `${name}: shape [${shape}] needs ${h * w * c} values, data has ${image.data.length}`,
    );
  }
  return shape;
}

function checkSigmas(sigmas: ArrayLike<number>, n: number): Float32Array {
  if (!sigmas || sigmas.length !== n) {
    throw new RangeError(`sigmas must have one value per point (${n}), got ${sigmas?.length}`);
  }
  const out = Float32Array.from(sigmas);
  out.forEach((s, i) => {
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new RangeError(`sigmas[${i}] must be a finite number > 0, got ${s}`);
    }
  });
  return out;
}

/**
 * The occlusion map of eq. 5.3, `M(x, y) = Σ_i 1(‖(x, y) − P_i‖² ≤ (2σ_i)²)`.
 *
 * @param points The points.
 * @param sigmas σ per point.
 * @param shape `[height, width]`.
 * @returns M as a plane `[H × W]` of counts.
 */
export function occlusionMap(
  points: PointsLike,
  sigmas: Float32Array | readonly number[],
  shape: readonly [number, number],
): Float32Array {
  const p = toPoints(points);
  const s = checkSigmas(sigmas, p.x.length);
  const [h, w] = shape;
  const map = new Float32Array(h * w);
  for (let i = 0; i < p.x.length; i++) {
    const r = 2 * s[i], r2 = r * r;
    const y0 = Math.max(0, Math.ceil(p.y[i] - r)), y1 = Math.min(h - 1, Math.floor(p.y[i] + r));
    const x0 = Math.max(0, Math.ceil(p.x[i] - r)), x1 = Math.min(w - 1, Math.floor(p.x[i] + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if ((x - p.x[i]) ** 2 + (y - p.y[i]) ** 2 <= r2) map[y * w + x] += 1;
      }
    }
  }
  return map;
}

/**
 * The occlusion level M̄ of eq. 5.3: the mean of the occlusion map over its
 * non-zero pixels (1 when no two objects overlap; 0 for an image without
 * objects). The thesis splits test sets into low (M̄ < 1.5) and high
 * occlusion.
 *
 * @param points The points.
 * @param sigmas σ per point (object radius 2σ).
 * @param shape `[height, width]`.
 * @returns M̄.
 * @example
 * ```ts
 * import { occlusionLevel } from "./occlusion.ts";
 * console.log(occlusionLevel([[10, 10], [30, 30]], [2, 2], [40, 40])); // 1 (no overlap)
 * ```
 */
export function occlusionLevel(
  points: PointsLike,
  sigmas: Float32Array | readonly number[],
  shape: readonly [number, number],
): number {
  const map = occlusionMap(points, sigmas, shape);
  let sum = 0, n = 0;
  for (const v of map) {
    if (v > 0) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/**
 * Adds a unit-mass Gaussian of σ at (x, y) to a density plane, truncated at
 * 3σ and renormalised inside the image.
 */
function addGaussian(density: Float32Array, h: number, w: number, x: number, y: number, s: number) {
  const r = Math.ceil(3 * s);
  const y0 = Math.max(0, Math.round(y) - r), y1 = Math.min(h - 1, Math.round(y) + r);
  const x0 = Math.max(0, Math.round(x) - r), x1 = Math.min(w - 1, Math.round(x) + r);
  let mass = 0;
  const g = new Float64Array((y1 - y0 + 1) * (x1 - x0 + 1));
  for (let yy = y0, k = 0; yy <= y1; yy++) {
    for (let xx = x0; xx <= x1; xx++, k++) {
      g[k] = Math.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * s * s));
      mass += g[k];
    }
  }
  for (let yy = y0, k = 0; yy <= y1; yy++) {
    for (let xx = x0; xx <= x1; xx++, k++) density[yy * w + xx] += g[k] / mass;
  }
}

/** A 1-D Gaussian kernel of σ, radius 3σ, summing to 1. */
function kernel1d(s: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * s));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * s * s));
  return k.map((v) => v / sum);
}

/**
 * Creates occlusions on a training image (Sec. 5.4; see the module doc for
 * each step and the rules where the text is silent). The input is not
 * changed. Count law: the returned density sums to the input density's sum
 * plus `pasted.length`, and `points` holds one point more per pasted object.
 *
 * @param image The image.
 * @param points Its point annotations.
 * @param options σ per point, the density, β, seed.
 * @returns The occluded image, density, points and what was pasted.
 * @example
 * ```ts
 * import { createOcclusion } from "./occlusion.ts";
 * const image = { data: new Float32Array(32 * 32), shape: [32, 32, 1] as [number, number, number] };
 * const r = createOcclusion(image, [[8, 8], [12, 9], [24, 20]], { sigmas: [2, 2, 2], fraction: 0.5, seed: 1 });
 * console.log(r.points.x.length - 3 === r.pasted.length); // true
 * ```
 */
export function createOcclusion(
  image: ImageArray,
  points: PointsLike,
  options: OcclusionOptions,
): OcclusionResult {
  const [h, w, c] = checkImage(image);
  const p = toPoints(points, { inside: [h, w] });
  const n = p.x.length;
  const sigmas = checkSigmas(options?.sigmas, n);
  const beta = assertNumber(options.beta ?? 0.3, "beta", { min: 0, max: 1 });
  const neighbours = assertNumber(options.neighbours ?? 3, "neighbours", { min: 1, integer: true });
  if (options.fraction !== undefined) {
    assertNumber(options.fraction, "fraction", { min: 0, max: 1 });
  }
  if (options.blendSigma !== undefined) {
    assertNumber(options.blendSigma, "blendSigma", { min: 0, minExclusive: true });
  }
  if (options.density !== undefined && options.density.length !== h * w) {
    throw new RangeError(
      `density must have ${h * w} values (${h}x${w}), got ${options.density.length}`,
    );
  }
  const rng = options.seed instanceof Rng ? options.seed : new Rng(options.seed ?? 0);
  const out = Float32Array.from(image.data);
  const density = options.density ? Float32Array.from(options.density) : new Float32Array(h * w);
  const xs = Array.from(p.x), ys = Array.from(p.y), ss = Array.from(sigmas);
  const pasted: PastedObject[] = [];
  if (n >= 2) {
    const level = occlusionLevel(p, sigmas, [h, w]);
    const fraction = options.fraction ?? Math.min(1, beta / Math.max(level, 1));
    const count = Math.round(fraction * n);
    for (let t = 0; t < count; t++) {
      const occ = rng.int(n);
      // the `neighbours` nearest other objects of O_occ (brute force: one query)
      const near = [...Array(n).keys()].filter((j) => j !== occ)
        .map((j) => ({ j, d: (p.x[j] - p.x[occ]) ** 2 + (p.y[j] - p.y[occ]) ** 2 }))
        .sort((a, b) => a.d - b.d).slice(0, neighbours);
      const copy = near[rng.int(near.length)].j;
      const sc = sigmas[copy], so = sigmas[occ];
      let px = NaN, py = NaN;
      for (let attempt = 0; attempt < 10; attempt++) {
        const r = 2 * sc + 2 * so * rng.next();
        const theta = 2 * Math.PI * rng.next();
        const x = Math.floor(r * Math.cos(theta)) + p.x[occ];
        const y = Math.floor(r * Math.sin(theta)) + p.y[occ];
        if (x >= -0.5 && x < w - 0.5 && y >= -0.5 && y < h - 0.5) {
          px = x;
          py = y;
          break;
        }
      }
      if (Number.isNaN(px)) continue;
      paste(
        out,
        [h, w, c],
        { fromX: p.x[copy], fromY: p.y[copy], toX: px, toY: py, sigma: sc },
        options.blendSigma ?? Math.max(1, sc / 2),
      );
      addGaussian(density, h, w, px, py, sc);
      xs.push(px);
      ys.push(py);
      ss.push(sc);
      pasted.push({ occluded: occ, copied: copy, x: px, y: py, sigma: sc });
    }
  }
  return {
    image: { data: out, shape: [h, w, c] },
    density,
    points: { x: Float32Array.from(xs), y: Float32Array.from(ys) },
    sigmas: Float32Array.from(ss),
    pasted,
  };
}

/** Moves the disc of one object onto `image` in place, blended by a smoothed disc mask. */
function paste(
  image: Float32Array,
  [h, w, c]: [number, number, number],
  m: { fromX: number; fromY: number; toX: number; toY: number; sigma: number },
  blendSigma: number,
): void {
  const radius = 2 * m.sigma;
  const margin = Math.ceil(radius + 3 * blendSigma) + 1;
  const cx = Math.round(m.toX), cy = Math.round(m.toY);
  const dx = Math.round(m.fromX) - cx, dy = Math.round(m.fromY) - cy;
  const y0 = Math.max(0, cy - margin), y1 = Math.min(h - 1, cy + margin);
  const x0 = Math.max(0, cx - margin), x1 = Math.min(w - 1, cx + margin);
  const bh = y1 - y0 + 1, bw = x1 - x0 + 1;
  // α: the binary disc at the paste position; α̃: α smoothed (separable Gaussian)
  const alpha = new Float64Array(bh * bw);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if ((x - m.toX) ** 2 + (y - m.toY) ** 2 <= radius * radius) {
        alpha[(y - y0) * bw + (x - x0)] = 1;
      }
    }
  }
  const k = kernel1d(blendSigma), r = (k.length - 1) / 2;
  const tmp = new Float64Array(bh * bw), smooth = new Float64Array(bh * bw);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const xx = x + i;
        if (xx >= 0 && xx < bw) s += k[i + r] * alpha[y * bw + xx];
      }
      tmp[y * bw + x] = s;
    }
  }
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) {
        const yy = y + i;
        if (yy >= 0 && yy < bh) s += k[i + r] * tmp[yy * bw + x];
      }
      smooth[y * bw + x] = s;
    }
  }
  // Î near the paste position: pixels of the copied object's neighbourhood (source clamped to
  // the image); read from a copy so that overlapping source and target do not smear.
  const source = image.slice();
  for (let y = y0; y <= y1; y++) {
    const sy = Math.min(h - 1, Math.max(0, y + dy));
    for (let x = x0; x <= x1; x++) {
      const a = smooth[(y - y0) * bw + (x - x0)];
      if (a <= 0) continue;
      const sx = Math.min(w - 1, Math.max(0, x + dx));
      for (let ch = 0; ch < c; ch++) {
        const i = (y * w + x) * c + ch;
        image[i] = (1 - a) * source[i] + a * source[(sy * w + sx) * c + ch];
      }
    }
  }
}

/** Options of {@linkcode cutout}. */
export interface CutoutOptions {
  /** Side of the square in pixels (default a quarter of the shorter side). */
  size?: number;
  /** Seed (default 0), or a generator. */
  seed?: number | Rng;
}

/** An augmented image with its density. */
export interface AugmentedSample {
  /** The image. */
  image: ImageArray;
  /** Its density `[H × W]`. */
  density: Float32Array;
  /** The box changed, `[x0, y0, x1, y1]` (end-exclusive). */
  box: [number, number, number, number];
}

function randomBox(
  rng: Rng,
  h: number,
  w: number,
  bh: number,
  bw: number,
): [number, number, number, number] {
  // the box's centre is uniform over the image and the box is clipped to it (DeVries & Taylor)
  const cy = rng.int(h), cx = rng.int(w);
  const y0 = Math.max(0, cy - Math.floor(bh / 2)), x0 = Math.max(0, cx - Math.floor(bw / 2));
  return [x0, y0, Math.min(w, x0 + bw), Math.min(h, y0 + bh)];
}

/**
 * Cutout (DeVries & Taylor 2017) for counting, the baseline of Table 30: a
 * random square is set to zero in the image and in its density, so the
 * count becomes the density that remains (the objects cut out are not
 * counted).
 *
 * @param image The image.
 * @param density Its density `[H × W]`.
 * @param options Square size, seed.
 * @returns The new image and density (inputs unchanged).
 */
export function cutout(
  image: ImageArray,
  density: Float32Array,
  options: CutoutOptions = {},
): AugmentedSample {
  const [h, w, c] = checkImage(image);
  if (density.length !== h * w) {
    throw new RangeError(`density must have ${h * w} values (${h}x${w}), got ${density.length}`);
  }
  const size = assertNumber(options.size ?? Math.max(1, Math.floor(Math.min(h, w) / 4)), "size", {
    min: 1,
    integer: true,
  });
  const rng = options.seed instanceof Rng ? options.seed : new Rng(options.seed ?? 0);
  const box = randomBox(rng, h, w, size, size);
  const img = Float32Array.from(image.data), den = Float32Array.from(density);
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) {
      den[y * w + x] = 0;
      img.fill(0, (y * w + x) * c, (y * w + x + 1) * c);
    }
  }
  return { image: { data: img, shape: [h, w, c] }, density: den, box };
}

/** Options of {@linkcode cutmix}. */
export interface CutmixOptions {
  /** Seed (default 0), or a generator. */
  seed?: number | Rng;
}

/**
 * CutMix (Yun et al. 2019) for counting, the baseline of Table 30: a box of
 * the image and its density is replaced by the same box of another image and
 * its density (the box's area fraction `1 − λ`, λ ~ U(0, 1) as CutMix's
 * Beta(1, 1)), so the count is the mixed density's sum. The other image is
 * used at the same position; it must have the same shape.
 *
 * @param a The image and its density.
 * @param b The other image and its density.
 * @param options Seed.
 * @returns The mixed image and density (inputs unchanged).
 */
export function cutmix(
  a: { image: ImageArray; density: Float32Array },
  b: { image: ImageArray; density: Float32Array },
  options: CutmixOptions = {},
): AugmentedSample {
  const [h, w, c] = checkImage(a.image, "a.image");
  const sb = checkImage(b.image, "b.image");
  if (sb[0] !== h || sb[1] !== w || sb[2] !== c) {
    throw new RangeError(`b.image must have shape [${h}, ${w}, ${c}], got [${sb}]`);
  }
  for (const [name, d] of [["a.density", a.density], ["b.density", b.density]] as const) {
    if (d.length !== h * w) {
      throw new RangeError(`${name} must have ${h * w} values (${h}x${w}), got ${d.length}`);
    }
  }
  const rng = options.seed instanceof Rng ? options.seed : new Rng(options.seed ?? 0);
  const lambda = rng.next();
  const cut = Math.sqrt(1 - lambda);
  const box = randomBox(rng, h, w, Math.floor(h * cut), Math.floor(w * cut));
  const img = Float32Array.from(a.image.data), den = Float32Array.from(a.density);
  for (let y = box[1]; y < box[3]; y++) {
    for (let x = box[0]; x < box[2]; x++) {
      den[y * w + x] = b.density[y * w + x];
      for (let ch = 0; ch < c; ch++) img[(y * w + x) * c + ch] = b.image.data[(y * w + x) * c + ch];
    }
  }
  return { image: { data: img, shape: [h, w, c] }, density: den, box };
}
