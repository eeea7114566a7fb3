/**
 * Pictures and files of a predicted density map, on plain arrays (no
 * tensors): a colour-mapped PNG of the map, an overlay of the map on its
 * image, small thumbnails for reports, and the map's float values as a
 * NumPy `.npy` file (`numpy.load("x.npy")` gives the `(height, width)`
 * float32 array whose sum is the count).
 *
 * @module
 */
import type { Pixels8 } from "../io/png.ts";

/** The colour scale of density maps: black, purple, red, orange, pale yellow (like matplotlib's "inferno"). */
const STOPS: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 4],
  [0.25, 87, 16, 110],
  [0.5, 188, 55, 84],
  [0.75, 249, 142, 9],
  [1, 252, 255, 164],
];

/**
 * The colour of a value in [0, 1] on the density scale.
 *
 * @param t The value (clipped to [0, 1]).
 * @returns `[r, g, b]` bytes.
 */
export function densityColor(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  let i = 1;
  while (i < STOPS.length - 1 && STOPS[i][0] < v) i++;
  const [a, ar, ag, ab] = STOPS[i - 1], [b, br, bg, bb] = STOPS[i];
  const f = b > a ? (v - a) / (b - a) : 0;
  return [
    Math.round(ar + f * (br - ar)),
    Math.round(ag + f * (bg - ag)),
    Math.round(ab + f * (bb - ab)),
  ];
}

/**
 * The largest value of a map (0 for an empty or all-negative one).
 *
 * @param data The values.
 * @returns The maximum, at least 0.
 */
export function mapMax(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > m) m = data[i];
  return m;
}

/**
 * A density map as an RGB picture, scaled so that its largest value is the
 * top of the colour scale.
 *
 * @param map The map (`height × width` values).
 * @returns The pixels.
 */
export function densityPixels(
  map: { data: ArrayLike<number>; height: number; width: number },
): Pixels8 {
  const { height, width } = map;
  const max = mapMax(map.data) || 1;
  const data = new Uint8Array(height * width * 3);
  for (let i = 0; i < height * width; i++) {
    const [r, g, b] = densityColor(map.data[i] / max);
    data[3 * i] = r;
    data[3 * i + 1] = g;
    data[3 * i + 2] = b;
  }
  return { height, width, channels: 3, data };
}

/**
 * The density drawn over its image: the image in gray, dimmed, with the
 * map's colour blended in where the density is high. A map at a coarser
 * resolution (networks with an output stride) is stretched to the image's
 * size, each value covering its `stride × stride` block.
 *
 * @param image HWC samples in [0, 1] (1 or 3 channels) and their shape.
 * @param map The density map.
 * @returns RGB pixels of the image's size.
 */
export function overlayPixels(
  image: { data: Float32Array; shape: readonly [number, number, number] },
  map: { data: ArrayLike<number>; height: number; width: number },
): Pixels8 {
  const [h, w, c] = image.shape;
  const sy = map.height / h, sx = map.width / w;
  const max = mapMax(map.data) || 1;
  const out = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    const my = Math.min(map.height - 1, Math.floor(y * sy));
    for (let x = 0; x < w; x++) {
      const mx = Math.min(map.width - 1, Math.floor(x * sx));
      const p = (y * w + x) * c;
      const gray = c === 1
        ? image.data[p]
        : 0.299 * image.data[p] + 0.587 * image.data[p + 1] + 0.114 * image.data[p + 2];
      const t = Math.min(1, Math.max(0, map.data[my * map.width + mx] / max));
      const alpha = 0.85 * Math.sqrt(t);
      const [r, g, b] = densityColor(t);
      const base = 255 * Math.min(1, Math.max(0, gray)) * 0.75;
      const q = (y * w + x) * 3;
      out[q] = Math.round((1 - alpha) * base + alpha * r);
      out[q + 1] = Math.round((1 - alpha) * base + alpha * g);
      out[q + 2] = Math.round((1 - alpha) * base + alpha * b);
    }
  }
  return { height: h, width: w, channels: 3, data: out };
}

/**
 * Shrinks pixels by box averaging so that the longer side is at most `maxSide`.
 *
 * @param pixels The picture.
 * @param maxSide The longest side wanted.
 * @returns The picture (the input itself when it is small enough).
 */
export function thumbnail(pixels: Pixels8, maxSide: number): Pixels8 {
  const { height: h, width: w, channels: c } = pixels;
  const f = Math.ceil(Math.max(h, w) / maxSide);
  if (f <= 1) return pixels;
  const th = Math.ceil(h / f), tw = Math.ceil(w / f);
  const data = new Uint8Array(th * tw * c);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      for (let k = 0; k < c; k++) {
        let sum = 0, n = 0;
        for (let dy = 0; dy < f && y * f + dy < h; dy++) {
          for (let dx = 0; dx < f && x * f + dx < w; dx++) {
            sum += pixels.data[((y * f + dy) * w + x * f + dx) * c + k];
            n++;
          }
        }
        data[(y * tw + x) * c + k] = Math.round(sum / n);
      }
    }
  }
  return { height: th, width: tw, channels: c, data };
}

/**
 * A float32 map as a NumPy `.npy` file (format 1.0, little-endian `<f4`,
 * C order, shape `(height, width)`).
 *
 * @param map The map.
 * @returns The file's bytes.
 * @example
 * ```ts
 * import { npyBytes } from "./render.ts";
 * const bytes = npyBytes({ data: Float32Array.of(1, 2, 3, 4, 5, 6), height: 2, width: 3 });
 * console.log(new TextDecoder().decode(bytes.subarray(1, 6)), bytes.length % 16); // "NUMPY" 8
 * ```
 */
export function npyBytes(map: { data: Float32Array; height: number; width: number }): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${map.height}, ${map.width}), }`;
  // magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, " ") + "\n";
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + head.length + map.data.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  const body = new DataView(out.buffer, 10 + head.length);
  for (let i = 0; i < map.data.length; i++) body.setFloat32(4 * i, map.data[i], true);
  return out;
}
