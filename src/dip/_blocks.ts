/**
 * Internal building blocks of the networks: a convolution followed by a
 * normalisation and an activation, an upsampling step, and a sequence of
 * named layers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/rng.ts";
import { Conv2d, type PadMode } from "./conv.ts";
import type { InitMode } from "./init.ts";
import { BatchNorm, MeanOnlyBatchNorm } from "./normalization.ts";
import { Upsample, type UpsampleOptions } from "./upsample.ts";

/** A layer of a network. */
export interface Layer {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
  variables(prefix: string): Record<string, tf.Variable>;
  state(prefix: string): Record<string, tf.Variable>;
  dispose(): void;
}

/** An activation: LeakyReLU with a slope, ReLU, or none. */
export type Activation = { kind: "leaky"; alpha: number } | { kind: "relu" } | { kind: "none" };

/**
 * LeakyReLU whose gradient is `dy · step(x, α)` (two passes; tfjs's takes a
 * comparison, a multiplication and a select).
 */
export function leakyRelu(x: tf.Tensor4D, alpha: number): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    (args[1] as tf.GradSaveFunc)([input]);
    return {
      value: tf.leakyRelu(input, alpha),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        (dy as tf.Tensor).mul(tf.step(saved[0], alpha)),
    };
  });
  return op(x) as tf.Tensor4D;
}

function activate(x: tf.Tensor4D, act: Activation): tf.Tensor4D {
  if (act.kind === "leaky") return leakyRelu(x, act.alpha);
  if (act.kind === "relu") return tf.relu(x);
  return x;
}

/** Options of {@linkcode ConvBlock}. */
export interface ConvBlockOptions {
  kernelSize: number;
  stride?: number;
  pad: PadMode;
  /** `"batch"`: BatchNorm; `"lipschitz"`: λ-bounded conv + mean-only BN; `"none"`. */
  norm: "batch" | "lipschitz" | "none";
  lambda?: number;
  act: Activation;
  /** `"norm-act"` (conv → norm → act, default) or `"act-norm"` (the deep decoder's). */
  order?: "norm-act" | "act-norm";
  convBias: boolean;
  init: InitMode;
  rng: Rng;
}

/** Convolution → normalisation → activation (or activation → normalisation). */
export class ConvBlock implements Layer {
  readonly conv: Conv2d;
  readonly norm?: BatchNorm | MeanOnlyBatchNorm;
  readonly #act: Activation;
  readonly #order: "norm-act" | "act-norm";

  constructor(inChannels: number, outChannels: number, o: ConvBlockOptions) {
    this.conv = new Conv2d(inChannels, outChannels, {
      kernelSize: o.kernelSize,
      stride: o.stride,
      pad: o.pad,
      bias: o.convBias,
      lambda: o.norm === "lipschitz" ? o.lambda : undefined,
      init: o.init,
      rng: o.rng,
    });
    if (o.norm === "batch") this.norm = new BatchNorm(outChannels);
    if (o.norm === "lipschitz") this.norm = new MeanOnlyBatchNorm(outChannels);
    this.#act = o.act;
    this.#order = o.order ?? "norm-act";
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.conv.apply(x, { training });
      if (this.#order === "act-norm") y = activate(y, this.#act);
      if (this.norm) y = this.norm.apply(y);
      if (this.#order === "norm-act") y = activate(y, this.#act);
      return y;
    });
  }

  variables(prefix: string): Record<string, tf.Variable> {
    return {
      ...this.conv.variables(`${prefix}/conv`),
      ...(this.norm ? this.norm.variables(`${prefix}/norm`) : {}),
    };
  }

  state(prefix: string): Record<string, tf.Variable> {
    return this.conv.state(`${prefix}/conv`);
  }

  dispose(): void {
    this.conv.dispose();
    this.norm?.dispose();
  }
}

/** An upsampling step as a layer. */
export class UpsampleLayer implements Layer {
  readonly #up: Upsample;
  constructor(options: UpsampleOptions) {
    this.#up = new Upsample(options);
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.#up.apply(x);
  }
  variables(): Record<string, tf.Variable> {
    return {};
  }
  state(): Record<string, tf.Variable> {
    return {};
  }
  dispose(): void {}
}

/** The sigmoid as a layer. */
export class SigmoidLayer implements Layer {
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.sigmoid(x);
  }
  variables(): Record<string, tf.Variable> {
    return {};
  }
  state(): Record<string, tf.Variable> {
    return {};
  }
  dispose(): void {}
}

/** Named layers applied in order. */
export class Sequential implements Layer {
  readonly layers: { name: string; layer: Layer }[] = [];

  add(name: string, layer: Layer): this {
    this.layers.push({ name, layer });
    return this;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let y = x;
      for (const { layer } of this.layers) y = layer.apply(y, training);
      return y === x ? x.clone() : y;
    });
  }

  variables(prefix = ""): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const { name, layer } of this.layers) {
      Object.assign(out, layer.variables(prefix ? `${prefix}/${name}` : name));
    }
    return out;
  }

  state(prefix = ""): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const { name, layer } of this.layers) {
      Object.assign(out, layer.state(prefix ? `${prefix}/${name}` : name));
    }
    return out;
  }

  dispose(): void {
    for (const { layer } of this.layers) layer.dispose();
  }
}
