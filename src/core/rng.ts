/**
 * Seeded random numbers whose state can be saved and restored, so that a run
 * stopped at a checkpoint and resumed draws the same numbers as an
 * uninterrupted run. Generation happens in JavaScript and is identical on
 * every backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertNumber } from "./checks.ts";

/**
 * A small, fast, seedable generator (SplitMix32-style mixing over a 32-bit
 * counter). Not cryptographic.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(7), b = new Rng(7);
 * if (a.next() !== b.next()) throw new Error("not repeatable");
 * ```
 */
export class Rng {
  #state: number;
  #spare: number | null = null;

  /**
   * Makes a generator.
   *
   * @param seed Any integer; equal seeds give equal streams.
   */
  constructor(seed: number) {
    assertNumber(seed, "seed", { integer: true });
    this.#state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /**
   * A uniform number in [0, 1).
   *
   * @returns The number.
   */
  next(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  }

  /**
   * A standard normal number (Box–Muller).
   *
   * @returns The number.
   */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * An integer in [0, n).
   *
   * @param n Exclusive upper bound.
   * @returns The integer.
   */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * A child generator with its own stream, derived from this one.
   *
   * @returns A new generator.
   */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 2 ** 31));
  }

  /**
   * A float32 tensor of uniform numbers in [min, max).
   *
   * @param shape The tensor's shape.
   * @param min Lower bound.
   * @param max Upper bound.
   * @returns The tensor.
   */
  uniform(shape: number[], min = 0, max = 1): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    const span = max - min;
    for (let i = 0; i < n; i++) out[i] = min + span * this.next();
    return tf.tensor(out, shape, "float32");
  }

  /**
   * A float32 tensor of normal numbers.
   *
   * @param shape The tensor's shape.
   * @param std Standard deviation.
   * @param mean Mean.
   * @returns The tensor.
   */
  normalTensor(shape: number[], std = 1, mean = 0): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
    return tf.tensor(out, shape, "float32");
  }

  /**
   * The generator's state, for checkpoints.
   *
   * @returns A JSON-serialisable state.
   */
  getState(): RngState {
    return { state: this.#state, spare: this.#spare };
  }

  /**
   * Restores a state from {@linkcode Rng.getState}.
   *
   * @param s The saved state.
   */
  setState(s: RngState): void {
    this.#state = s.state >>> 0;
    this.#spare = s.spare;
  }
}

/** Saved state of an {@linkcode Rng}. */
export interface RngState {
  /** Counter. */
  state: number;
  /** Cached second normal of Box–Muller, if any. */
  spare: number | null;
}
