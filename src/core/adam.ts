/**
 * tfjs's Adam optimiser with each variable's update as one loop: on the
 * wasm and cpu backends one pass over the variable's memory computes the new
 * moments and value (`adamStepInto`, run by `_host.ts`'s `runOnHost`), where tfjs's `AdamOptimizer` runs a
 * dozen element-wise kernels per variable (≈ 340 per step of a counting
 * network with batch norm, each a separate call). Every intermediate is
 * rounded to float32 as tfjs's kernels round it, so the result is tfjs's, bit
 * for bit; the state (moments, β powers, iteration count), its names and its
 * serialisation are tfjs's too, so checkpoints written with either load into
 * the other. On other backends (WebGPU) it is tfjs's optimiser unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { runOnHost } from "./_host.ts";

/** The constants of one Adam step, as tfjs rounds them (float32). */
export interface AdamStepConstants {
  /** Learning rate. */
  lr: number;
  /** β₁. */
  beta1: number;
  /** β₂. */
  beta2: number;
  /** ε. */
  epsilon: number;
  /** 1 − β₁ᵗ of this step. */
  correction1: number;
  /** 1 − β₂ᵗ of this step. */
  correction2: number;
}

/**
 * One Adam step of a variable, in float32 as tfjs computes it:
 * `m' = m·β₁ + g·(1 − β₁)`, `v' = v·β₂ + g²·(1 − β₂)`,
 * `w' = (m'/c₁) / (√(v'/c₂) + ε) · (−lr) + w`, each operation rounded.
 *
 * @param w The value (read).
 * @param g The gradient (read).
 * @param m The first moment (read).
 * @param v The second moment (read).
 * @param out The new value, first and second moment (written; may not alias the inputs).
 * @param k The step's constants.
 * @example
 * ```ts
 * import { adamStepInto } from "./adam.ts";
 * const out = [new Float32Array(1), new Float32Array(1), new Float32Array(1)] as const;
 * const one = () => new Float32Array([1]), zero = () => new Float32Array([0]);
 * adamStepInto(one(), one(), zero(), zero(), out, {
 *   lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, correction1: 0.1, correction2: 0.001,
 * });
 * if (Math.abs(out[0][0] - 0.9) > 1e-6) throw new Error(String(out[0][0])); // first step: w − lr·sign(g)
 * ```
 */
export function adamStepInto(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  out: readonly [Float32Array, Float32Array, Float32Array],
  k: AdamStepConstants,
): void {
  const f = Math.fround;
  const b1 = f(k.beta1), b2 = f(k.beta2), a1 = f(1 - k.beta1), a2 = f(1 - k.beta2);
  const c1 = f(k.correction1), c2 = f(k.correction2), eps = f(k.epsilon), lr = f(-k.lr);
  const [w2, m2, v2] = out;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * b1) + f(gi * a1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * a2));
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = f(f(f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps)) * lr) + w[i]);
  }
}

/** What `applyGradients` takes: gradients by variable name, or `{name, tensor}` pairs. */
export type AdamGradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

/** tfjs's private state of its Adam optimiser, which the subclass keeps. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * Adam, a drop-in for `tf.train.adam(lr, beta1, beta2, epsilon)` (same
 * results, state and class name) whose step runs one loop per variable on
 * wasm and cpu; see the module doc.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Adam } from "./adam.ts";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.scalar(3));
 * const opt = new Adam(0.1);
 * for (let i = 0; i < 3; i++) opt.minimize(() => w.square() as tf.Scalar);
 * console.log(w.dataSync()[0]); // 2.7000…: three steps of 0.1 towards 0
 * opt.dispose();
 * ```
 */
export class Adam extends tf.AdamOptimizer {
  /**
   * Creates the optimiser.
   *
   * @param learningRate Step size (default 0.001).
   * @param beta1 First moment decay (default 0.9).
   * @param beta2 Second moment decay (default 0.999).
   * @param epsilon Guard (default the backend's, 1e-7 on wasm and cpu).
   */
  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon as number);
  }

  /**
   * Updates the variables from their gradients.
   *
   * @param variableGradients Gradients by variable name, or named gradients.
   */
  override applyGradients(variableGradients: AdamGradients): void {
    const backend = tf.getBackend();
    if (backend !== "wasm" && backend !== "cpu") return super.applyGradients(variableGradients);
    const s = this as unknown as AdamState;
    const list = Array.isArray(variableGradients);
    const names = list
      ? (variableGradients as { name: string }[]).map((v) => v.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      // tfjs's sub(1, accBeta): float32.
      const correction1 = Math.fround(1 - s.accBeta1.dataSync()[0]);
      const correction2 = Math.fround(1 - s.accBeta2.dataSync()[0]);
      const k: AdamStepConstants = {
        lr: s.learningRate,
        beta1: s.beta1,
        beta2: s.beta2,
        epsilon: s.epsilon,
        correction1,
        correction2,
      };
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        s.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        s.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = list
          ? (variableGradients as { tensor: tf.Tensor }[])[i].tensor
          : (variableGradients as Record<string, tf.Tensor | null>)[name];
        if (gradient == null) return;
        const m = s.accumulatedFirstMoment[i].variable, v = s.accumulatedSecondMoment[i].variable;
        const shape = value.shape;
        if (
          value.dtype !== "float32" || gradient.dtype !== "float32" || gradient.size !== value.size
        ) {
          throw new RangeError(
            `Adam: ${name} and its gradient must be float32 of ${shape.join("×")} elements, got ` +
              `${value.dtype} and ${gradient.dtype} ${gradient.shape.join("×")}`,
          );
        }
        const outs = runOnHost(
          [value, gradient, m, v],
          [shape, shape, shape],
          ([w, g, m, v], [w2, m2, v2]) => adamStepInto(w!, g!, m!, v!, [w2!, m2!, v2!], k),
        );
        if (outs === null) throw new Error(`Adam: the memory of ${name} cannot be read in place`);
        const [w2, m2, v2] = outs;
        m.assign(m2);
        v.assign(v2);
        value.assign(w2);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}
