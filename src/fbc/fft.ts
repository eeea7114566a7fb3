/**
 * Two-dimensional discrete Fourier transforms of real images, computed in
 * JavaScript in double precision so that they run on every tfjs backend (the
 * wasm backend has no FFT kernels; tfjs' own `fft` is 1-D). Any size works:
 * power-of-two lengths use an iterative radix-2 FFT, other lengths Bluestein's
 * chirp-z algorithm over a power-of-two FFT. Plans are cached per length.
 *
 * Why JavaScript and not a DFT as real matrix products on the backend: the
 * matrix DFT costs O(N³); measured on wasm (2 cores) it was 8x slower than
 * this FFT at 128×128, 12x at 256×256 and 28x at 512×512, and 90–300x on the
 * cpu backend (`bench/fbc_bench.ts`, numbers in its header).
 *
 * Conventions are numpy's: `fft2` is `np.fft.fft2` (unnormalised forward
 * transform, zero frequency at index 0); the shifted magnitude spectrum is
 * `abs(np.fft.fftshift(np.fft.fft2(x)))`, zero frequency at `(H // 2, W // 2)`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type GrayArray, readGray } from "./gray.ts";

/** An in-place forward FFT of one length. */
interface Plan {
  /** Transforms `re`/`im` (length n) in place. */
  forward(re: Float64Array, im: Float64Array): void;
}

const plans = new Map<number, Plan>();

/**
 * The cached FFT plan for length `n`.
 *
 * @param n The transform length (a positive integer).
 * @returns The plan.
 */
function planFor(n: number): Plan {
  let p = plans.get(n);
  if (!p) {
    p = (n & (n - 1)) === 0 ? new Radix2Plan(n) : new BluesteinPlan(n);
    plans.set(n, p);
  }
  return p;
}

/** Iterative radix-2 Cooley–Tukey FFT for power-of-two lengths. */
class Radix2Plan implements Plan {
  readonly n: number;
  readonly #rev: Uint32Array;
  readonly #cos: Float64Array;
  readonly #sin: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.#rev = new Uint32Array(n);
    const bits = Math.round(Math.log2(n));
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      this.#rev[i] = r;
    }
    const half = n >> 1;
    this.#cos = new Float64Array(half);
    this.#sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.#cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.#sin[k] = -Math.sin((2 * Math.PI * k) / n);
    }
  }

  forward(re: Float64Array, im: Float64Array): void {
    const n = this.n, rev = this.#rev, cos = this.#cos, sin = this.#sin;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1, step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0, t = 0; k < half; k++, t += step) {
          const a = start + k, b = a + half;
          const wr = cos[t], wi = sin[t];
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

/** Bluestein's algorithm: a length-n DFT as a convolution done with radix-2 FFTs. */
class BluesteinPlan implements Plan {
  readonly n: number;
  readonly #inner: Radix2Plan;
  readonly #wr: Float64Array; // chirp exp(-iπk²/n)
  readonly #wi: Float64Array;
  readonly #br: Float64Array; // FFT of the conjugate chirp, scaled by 1/m
  readonly #bi: Float64Array;
  readonly #ar: Float64Array; // scratch
  readonly #ai: Float64Array;

  constructor(n: number) {
    this.n = n;
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.#inner = planFor(m) as Radix2Plan;
    this.#wr = new Float64Array(n);
    this.#wi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle small and exact for large k.
      const angle = (Math.PI * ((k * k) % (2 * n))) / n;
      this.#wr[k] = Math.cos(angle);
      this.#wi[k] = -Math.sin(angle);
    }
    this.#br = new Float64Array(m);
    this.#bi = new Float64Array(m);
    this.#br[0] = this.#wr[0];
    this.#bi[0] = -this.#wi[0];
    for (let k = 1; k < n; k++) {
      this.#br[k] = this.#br[m - k] = this.#wr[k];
      this.#bi[k] = this.#bi[m - k] = -this.#wi[k];
    }
    this.#inner.forward(this.#br, this.#bi);
    for (let k = 0; k < m; k++) {
      this.#br[k] /= m;
      this.#bi[k] /= m;
    }
    this.#ar = new Float64Array(m);
    this.#ai = new Float64Array(m);
  }

  forward(re: Float64Array, im: Float64Array): void {
    const n = this.n, wr = this.#wr, wi = this.#wi, ar = this.#ar, ai = this.#ai;
    const br = this.#br, bi = this.#bi, m = ar.length;
    for (let k = 0; k < n; k++) {
      ar[k] = re[k] * wr[k] - im[k] * wi[k];
      ai[k] = re[k] * wi[k] + im[k] * wr[k];
    }
    ar.fill(0, n);
    ai.fill(0, n);
    this.#inner.forward(ar, ai);
    // Multiply by the chirp's spectrum, conjugated so that a second forward
    // FFT computes the inverse: ifft(z) = conj(fft(conj(z))) / m.
    for (let k = 0; k < m; k++) {
      const xr = ar[k] * br[k] - ai[k] * bi[k];
      const xi = ar[k] * bi[k] + ai[k] * br[k];
      ar[k] = xr;
      ai[k] = -xi;
    }
    this.#inner.forward(ar, ai);
    for (let k = 0; k < n; k++) {
      const cr = ar[k], ci = -ai[k];
      re[k] = cr * wr[k] - ci * wi[k];
      im[k] = cr * wi[k] + ci * wr[k];
    }
  }
}

/**
 * One-dimensional forward DFT of any length, in place (numpy's `np.fft.fft`).
 *
 * @param re Real parts; overwritten with the transform's real parts.
 * @param im Imaginary parts (same length); overwritten likewise.
 * @example
 * ```ts
 * import { fft1d } from "./fft.ts";
 * const re = new Float64Array([1, 2, 3]), im = new Float64Array(3);
 * fft1d(re, im);
 * console.log(re[0].toFixed(6), Math.abs(im[0]) < 1e-12); // "6.000000" true
 * ```
 */
export function fft1d(re: Float64Array, im: Float64Array): void {
  if (re.length !== im.length) {
    throw new RangeError(`im must have the length of re: expected ${re.length}, got ${im.length}`);
  }
  if (re.length > 1) planFor(re.length).forward(re, im);
}

/** The columns `0 .. floor(W/2)` of a real image's 2-D DFT (the rest follows by symmetry). */
interface HalfSpectrum {
  re: Float64Array;
  im: Float64Array;
  /** Number of stored columns, `floor(W/2) + 1`. */
  cols: number;
}

function halfSpectrum({ data, height: h, width: w }: GrayArray): HalfSpectrum {
  const cols = (w >> 1) + 1;
  const re = new Float64Array(h * cols), im = new Float64Array(h * cols);
  const rowPlan = planFor(w);
  const zr = new Float64Array(w), zi = new Float64Array(w);
  // Rows, two at a time: z = a + i·b, then A[k] = (Z[k] + conj Z[-k]) / 2 and
  // B[k] = (Z[k] - conj Z[-k]) / 2i.
  for (let r = 0; r < h; r += 2) {
    const pair = r + 1 < h;
    for (let x = 0; x < w; x++) {
      zr[x] = data[r * w + x];
      zi[x] = pair ? data[(r + 1) * w + x] : 0;
    }
    if (w > 1) rowPlan.forward(zr, zi);
    for (let k = 0; k < cols; k++) {
      const j = k === 0 ? 0 : w - k;
      const ar = zr[k], ai = zi[k], br = zr[j], bi = zi[j];
      re[r * cols + k] = (ar + br) / 2;
      im[r * cols + k] = (ai - bi) / 2;
      if (pair) {
        re[(r + 1) * cols + k] = (ai + bi) / 2;
        im[(r + 1) * cols + k] = (br - ar) / 2;
      }
    }
  }
  if (h > 1) {
    const colPlan = planFor(h);
    const cr = new Float64Array(h), ci = new Float64Array(h);
    for (let k = 0; k < cols; k++) {
      for (let y = 0; y < h; y++) {
        cr[y] = re[y * cols + k];
        ci[y] = im[y * cols + k];
      }
      colPlan.forward(cr, ci);
      for (let y = 0; y < h; y++) {
        re[y * cols + k] = cr[y];
        im[y * cols + k] = ci[y];
      }
    }
  }
  return { re, im, cols };
}

/**
 * The 2-D DFT of a real gray array (numpy's `np.fft.fft2`), full size.
 *
 * @param gray The image, row-major.
 * @returns Real and imaginary parts, row-major `[H, W]`.
 * @example
 * ```ts
 * import { fft2Array } from "./fft.ts";
 * const { re } = fft2Array({ data: new Float64Array([1, 2, 3, 4]), height: 2, width: 2 });
 * console.log(Array.from(re)); // [10, -2, -4, 0]
 * ```
 */
export function fft2Array(gray: GrayArray): { re: Float64Array; im: Float64Array } {
  const { height: h, width: w } = gray;
  const half = halfSpectrum(gray);
  const re = new Float64Array(h * w), im = new Float64Array(h * w);
  for (let u = 0; u < h; u++) {
    for (let v = 0; v < w; v++) {
      if (v < half.cols) {
        re[u * w + v] = half.re[u * half.cols + v];
        im[u * w + v] = half.im[u * half.cols + v];
      } else { // F[u, v] = conj F[-u, -v] for real input
        const s = ((h - u) % h) * half.cols + (w - v);
        re[u * w + v] = half.re[s];
        im[u * w + v] = -half.im[s];
      }
    }
  }
  return { re, im };
}

/**
 * The magnitude of the 2-D DFT of a real gray array, optionally centred.
 *
 * @param gray The image, row-major.
 * @param shift Centre the zero frequency at `(H // 2, W // 2)` (numpy's `fftshift`).
 * @returns `|F|`, row-major `[H, W]`.
 */
export function magnitudeSpectrumArray(gray: GrayArray, shift = true): Float64Array {
  const { height: h, width: w } = gray;
  const half = halfSpectrum(gray);
  const cols = half.cols;
  const out = new Float64Array(h * w);
  const dy = shift ? h >> 1 : 0, dx = shift ? w >> 1 : 0;
  for (let u = 0; u < h; u++) {
    const row = ((u + dy) % h) * w;
    const mirror = ((h - u) % h) * cols;
    for (let v = 0; v < w; v++) {
      const s = v < cols ? u * cols + v : mirror + (w - v);
      const a = half.re[s], b = half.im[s];
      out[row + ((v + dx) % w)] = Math.sqrt(a * a + b * b);
    }
  }
  return out;
}

/** Options of {@linkcode magnitudeSpectrum}. */
export interface MagnitudeSpectrumOptions {
  /** Move the zero frequency to the centre `(H // 2, W // 2)`, as `np.fft.fftshift` (default `true`). */
  shift?: boolean;
}

/**
 * The 2-D DFT of an image (numpy's `np.fft.fft2`). RGB images are first
 * converted to gray with the author's weights (see `gray.ts`).
 *
 * @param image A `[H, W]` signal or an HWC image with 1 or 3 channels.
 * @returns Real and imaginary parts as `[H, W]` float32 tensors the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fft2 } from "./fft.ts";
 * await tf.setBackend("cpu");
 * const { re, im } = await fft2(tf.tensor2d([[1, 2], [3, 4]]));
 * console.log(re.arraySync()); // [[10, -2], [-4, 0]]
 * re.dispose();
 * im.dispose();
 * ```
 */
export async function fft2(
  image: tf.Tensor2D | tf.Tensor3D,
): Promise<{ re: tf.Tensor2D; im: tf.Tensor2D }> {
  const gray = await readGray(image, "image");
  const { re, im } = fft2Array(gray);
  const shape: [number, number] = [gray.height, gray.width];
  return {
    re: tf.tensor2d(Float32Array.from(re), shape),
    im: tf.tensor2d(Float32Array.from(im), shape),
  };
}

/**
 * The magnitude spectrum `|F(image)|`, centred by default
 * (`abs(np.fft.fftshift(np.fft.fft2(gray)))`). RGB images are first converted
 * to gray with the author's weights (see `gray.ts`).
 *
 * @param image A `[H, W]` signal or an HWC image with 1 or 3 channels.
 * @param options See {@linkcode MagnitudeSpectrumOptions}.
 * @returns A `[H, W]` float32 tensor the caller owns.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { magnitudeSpectrum } from "./fft.ts";
 * await tf.setBackend("cpu");
 * const m = await magnitudeSpectrum(tf.ones([3, 3, 1]) as tf.Tensor3D);
 * console.log(m.arraySync()[1][1]); // 9: the zero frequency, at the centre
 * m.dispose();
 * ```
 */
export async function magnitudeSpectrum(
  image: tf.Tensor2D | tf.Tensor3D,
  options: MagnitudeSpectrumOptions = {},
): Promise<tf.Tensor2D> {
  const shift = options.shift ?? true;
  if (typeof shift !== "boolean") {
    throw new TypeError(`options.shift must be a boolean, got ${typeof shift}`);
  }
  const gray = await readGray(image, "image");
  const mag = magnitudeSpectrumArray(gray, shift);
  return tf.tensor2d(Float32Array.from(mag), [gray.height, gray.width]);
}
