/**
 * Synthetic RGB-D scenes for training the learned guided filters: planes,
 * boxes, spheres and ramps seen by a pinhole camera, with textured, shaded
 * colour and exact depth. Colour edges that are not depth edges (textures)
 * and depth edges of low colour contrast both occur, as in real RGB-D data.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "../core/checks.ts";
import type { Rng } from "../core/rng.ts";

/** Options of {@linkcode renderRgbdScene}. */
export interface RgbdSceneOptions {
  /** Depth that maps to 1 (default 10, metres as NYU Depth V2). */
  maxDepth?: number;
  /** Number of objects in front of the walls: [min, max] (default [3, 8]). */
  objects?: [number, number];
}

/** A rendered scene. */
export interface RgbdScene {
  /** Shaded colour `[H, W, 3]` in [0, 1]. */
  rgb: tf.Tensor3D;
  /** Depth along the optical axis divided by `maxDepth`, `[H, W, 1]` in (0, 1]. */
  depth: tf.Tensor3D;
}

type Vec = [number, number, number];
type Texture = (u: number, v: number) => Vec;
interface Hit {
  t: number;
  normal: Vec;
  u: number;
  v: number;
}
interface Primitive {
  intersect(d: Vec): Hit | null;
  texture: Texture;
}

const dot = (a: Vec, b: Vec) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const scale = (a: Vec, s: number): Vec => [a[0] * s, a[1] * s, a[2] * s];

function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function valueNoise(u: number, v: number, seed: number): number {
  const x0 = Math.floor(u), y0 = Math.floor(v);
  const fx = u - x0, fy = v - y0;
  const sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
  const a = hash(x0, y0, seed), b = hash(x0 + 1, y0, seed);
  const c = hash(x0, y0 + 1, seed), d = hash(x0 + 1, y0 + 1, seed);
  return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy;
}

function randomColour(rng: Rng): Vec {
  return [0.1 + 0.85 * rng.next(), 0.1 + 0.85 * rng.next(), 0.1 + 0.85 * rng.next()];
}

function randomTexture(rng: Rng): Texture {
  const a = randomColour(rng);
  // Sometimes a low-contrast second colour: depth edges without colour edges.
  const b: Vec = rng.next() < 0.3
    ? a.map((x) => Math.min(1, x * (0.9 + 0.2 * rng.next()))) as Vec
    : randomColour(rng);
  const freq = 0.5 + 4 * rng.next();
  const seed = rng.int(2 ** 30);
  const mix = (s: number): Vec => [
    a[0] + (b[0] - a[0]) * s,
    a[1] + (b[1] - a[1]) * s,
    a[2] + (b[2] - a[2]) * s,
  ];
  switch (rng.int(5)) {
    case 0:
      return () => a;
    case 1:
      return (u, v) => mix((Math.floor(u * freq) + Math.floor(v * freq)) & 1);
    case 2: {
      const angle = Math.PI * rng.next();
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      return (u, v) => mix(Math.floor((u * c + v * s) * freq * 2) & 1);
    }
    case 3:
      return (u, v) => mix(valueNoise(u * freq * 2, v * freq * 2, seed));
    default:
      return (u, v) => mix(0.5 + 0.5 * Math.sin((u + 0.3 * v) * freq * 3));
  }
}

/** Infinite plane n·x = c (n unit). */
function plane(n: Vec, c: number, e1: Vec, e2: Vec, texture: Texture): Primitive {
  return {
    texture,
    intersect(d) {
      const nd = dot(n, d);
      if (Math.abs(nd) < 1e-9) return null;
      const t = c / nd;
      if (t <= 0) return null;
      const p = scale(d, t);
      return { t, normal: n, u: dot(p, e1), v: dot(p, e2) };
    },
  };
}

/** Rectangle around `centre` spanned by half-extents along e1, e2. */
function panel(centre: Vec, e1: Vec, e2: Vec, a: number, b: number, texture: Texture): Primitive {
  const n: Vec = [
    e1[1] * e2[2] - e1[2] * e2[1],
    e1[2] * e2[0] - e1[0] * e2[2],
    e1[0] * e2[1] - e1[1] * e2[0],
  ];
  const c = dot(n, centre);
  return {
    texture,
    intersect(d) {
      const nd = dot(n, d);
      if (Math.abs(nd) < 1e-9) return null;
      const t = c / nd;
      if (t <= 0) return null;
      const q = sub(scale(d, t), centre);
      const u = dot(q, e1), v = dot(q, e2);
      if (Math.abs(u) > a || Math.abs(v) > b) return null;
      return { t, normal: n, u, v };
    },
  };
}

function sphere(centre: Vec, radius: number, texture: Texture): Primitive {
  return {
    texture,
    intersect(d) {
      const dd = dot(d, d), dc = dot(d, centre);
      const disc = dc * dc - dd * (dot(centre, centre) - radius * radius);
      if (disc < 0) return null;
      const t = (dc - Math.sqrt(disc)) / dd;
      if (t <= 0) return null;
      const q = scale(sub(scale(d, t), centre), 1 / radius);
      return {
        t,
        normal: q,
        u: 2 * radius * Math.atan2(q[0], -q[2]),
        v: 2 * radius * Math.acos(Math.max(-1, Math.min(1, q[1]))),
      };
    },
  };
}

/** Box with half-sizes `half`, rotated by `angle` about the vertical axis. */
function box(centre: Vec, half: Vec, angle: number, texture: Texture): Primitive {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const toLocal = (x: Vec): Vec => [c * x[0] + s * x[2], x[1], -s * x[0] + c * x[2]];
  const toWorld = (x: Vec): Vec => [c * x[0] - s * x[2], x[1], s * x[0] + c * x[2]];
  const o = toLocal(scale(centre, -1));
  return {
    texture,
    intersect(dWorld) {
      const d = toLocal(dWorld);
      let tmin = -Infinity, tmax = Infinity, axis = -1, sign = 1;
      for (let k = 0; k < 3; k++) {
        if (Math.abs(d[k]) < 1e-12) {
          if (Math.abs(o[k]) > half[k]) return null;
          continue;
        }
        let t1 = (-half[k] - o[k]) / d[k], t2 = (half[k] - o[k]) / d[k];
        let sg = -1;
        if (t1 > t2) [t1, t2, sg] = [t2, t1, 1];
        if (t1 > tmin) [tmin, axis, sign] = [t1, k, sg];
        tmax = Math.min(tmax, t2);
      }
      if (tmin > tmax || tmin <= 0 || axis < 0) return null;
      const p: Vec = [o[0] + tmin * d[0], o[1] + tmin * d[1], o[2] + tmin * d[2]];
      const n: Vec = [0, 0, 0];
      n[axis] = sign;
      const [iu, iv] = [[1, 2], [0, 2], [0, 1]][axis];
      return { t: tmin, normal: toWorld(n), u: p[iu], v: p[iv] };
    },
  };
}

/**
 * Renders a random scene: a back wall (slightly tilted), usually a floor,
 * and 3–8 objects (spheres, rotated boxes, tilted ramps and floating panels)
 * between them, each with a random texture (flat, checker, stripes, value
 * noise or waves), Lambertian shading from a random light plus ambient, and
 * exact depth. Deterministic given the generator's state; pure JavaScript,
 * so identical on every backend.
 *
 * @param size `[H, W]` in pixels.
 * @param rng The generator (advanced).
 * @param options Depth scale and object count.
 * @returns The colour image and the normalised depth (new tensors).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { Rng } from "../core/rng.ts";
 * import { renderRgbdScene } from "./synthetic_rgbd.ts";
 * await tf.setBackend("cpu");
 * const { rgb, depth } = renderRgbdScene([32, 48], new Rng(1));
 * assertEquals(rgb.shape, [32, 48, 3]);
 * assertEquals(depth.shape, [32, 48, 1]);
 * ```
 */
export function renderRgbdScene(
  size: [number, number],
  rng: Rng,
  options: RgbdSceneOptions = {},
): RgbdScene {
  const { rgb, depth } = renderRgbdArrays(size, rng, options);
  const [h, w] = size;
  return { rgb: tf.tensor3d(rgb, [h, w, 3]), depth: tf.tensor3d(depth, [h, w, 1]) };
}

/**
 * {@linkcode renderRgbdScene} returning plain arrays (HWC, row-major).
 *
 * @param size `[H, W]`.
 * @param rng The generator (advanced).
 * @param options Depth scale and object count.
 * @returns `rgb` (H·W·3) and `depth` (H·W).
 */
export function renderRgbdArrays(
  size: [number, number],
  rng: Rng,
  options: RgbdSceneOptions = {},
): { rgb: Float32Array; depth: Float32Array } {
  const [h, w] = size;
  assertNumber(h, "size[0]", { min: 1, integer: true });
  assertNumber(w, "size[1]", { min: 1, integer: true });
  const maxDepth = assertNumber(options.maxDepth ?? 10, "maxDepth", { min: 0, minExclusive: true });
  const [minObjects, maxObjects] = options.objects ?? [3, 8];
  const f = Math.max(h, w) * (0.7 + 0.7 * rng.next());
  const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
  const halfX = (w / 2) / f, halfY = (h / 2) / f; // half field of view at depth 1
  const prims: Primitive[] = [];
  // Back wall, tilted a little.
  const wallZ = 0.6 * maxDepth + 0.3 * maxDepth * rng.next();
  const tx = 0.4 * (rng.next() - 0.5), ty = 0.4 * (rng.next() - 0.5);
  const wn = scale([tx, ty, -1], -1 / Math.hypot(tx, ty, 1));
  prims.push(plane(wn, dot(wn, [0, 0, wallZ]), [1, 0, 0], [0, 1, 0], randomTexture(rng)));
  if (rng.next() < 0.7) {
    const floorY = (0.5 + 0.8 * rng.next()) * halfY * wallZ * 0.5;
    prims.push(plane([0, -1, 0], -floorY, [1, 0, 0], [0, 0, 1], randomTexture(rng)));
  }
  const count = minObjects + rng.int(maxObjects - minObjects + 1);
  for (let i = 0; i < count; i++) {
    const z = 0.15 * maxDepth + (wallZ - 0.2 * maxDepth) * rng.next();
    const centre: Vec = [
      (2 * rng.next() - 1) * halfX * z,
      (2 * rng.next() - 1) * halfY * z,
      z,
    ];
    const extent = (0.15 + 0.35 * rng.next()) * Math.min(halfX, halfY) * z;
    const texture = randomTexture(rng);
    switch (rng.int(4)) {
      case 0:
        prims.push(sphere(centre, extent, texture));
        break;
      case 1:
        prims.push(box(
          centre,
          [extent * (0.5 + rng.next()), extent * (0.5 + rng.next()), extent * (0.5 + rng.next())],
          Math.PI * rng.next(),
          texture,
        ));
        break;
      case 2: {
        // A ramp: a rectangle tilted by phi out of the image plane.
        const theta = 0.6 * (rng.next() - 0.5), phi = 0.3 + 1.1 * rng.next();
        const e1: Vec = [Math.cos(theta), 0, Math.sin(theta)];
        const e2: Vec = [
          -Math.sin(theta) * Math.cos(phi),
          -Math.sin(phi),
          Math.cos(theta) * Math.cos(phi),
        ];
        prims.push(
          panel(centre, e1, e2, extent * (1 + rng.next()), extent * (1 + rng.next()), texture),
        );
        break;
      }
      default: {
        const theta = Math.PI * rng.next();
        const e1: Vec = [Math.cos(theta), Math.sin(theta), 0];
        const e2: Vec = [-Math.sin(theta), Math.cos(theta), 0];
        prims.push(
          panel(centre, e1, e2, extent * (1 + rng.next()), extent * (0.5 + rng.next()), texture),
        );
      }
    }
  }
  const light = (() => {
    // Direction towards the light: from the camera side, above.
    const l: Vec = [2 * rng.next() - 1, -0.5 - rng.next(), -0.5 - rng.next()];
    return scale(l, 1 / Math.hypot(...l));
  })();
  const ambient = 0.25 + 0.2 * rng.next();
  const rgb = new Float32Array(h * w * 3), depth = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d: Vec = [(x - cx) / f, (y - cy) / f, 1];
      let best: Hit | null = null, bestPrim: Primitive | null = null;
      for (const p of prims) {
        const hit = p.intersect(d);
        if (hit !== null && (best === null || hit.t < best.t)) [best, bestPrim] = [hit, p];
      }
      const i = y * w + x;
      if (best === null || bestPrim === null) {
        depth[i] = 1;
        continue;
      }
      let n = best.normal;
      if (dot(n, d) > 0) n = scale(n, -1);
      const shade = ambient + (1 - ambient) * Math.max(0, dot(n, light));
      const albedo = bestPrim.texture(best.u, best.v);
      for (let k = 0; k < 3; k++) rgb[3 * i + k] = Math.min(1, Math.max(0, albedo[k] * shade));
      depth[i] = Math.min(1, best.t / maxDepth); // d has unit z, so t is the z-depth
    }
  }
  return { rgb, depth };
}
