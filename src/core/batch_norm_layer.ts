/**
 * tfjs-layers' `BatchNormalization` with a faster training step: in
 * training mode on an NHWC batch normalised over N, H and W (the usual
 * convolutional case) it runs {@linkcode batchNormTraining}, whose gradient
 * is written out, instead of tfjs's automatic differentiation of
 * `tf.moments` and `tf.batchNorm`; everything else (inference, other axes,
 * no γ or β, the moving averages, the configuration, the weights and their
 * names) is tfjs-layers' own.
 *
 * Its class name is `"BatchNormalization"`, so a saved model is tfjs's
 * standard format and loads anywhere (in a browser as tfjs-layers' own
 * layer). Importing this module registers the class under that name, so
 * models loaded in this process (`tf.loadLayersModel`) get it too.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining } from "./batch_norm.ts";

/** The options of tfjs-layers' batch normalisation layer. */
export type BatchNormalizationArgs = NonNullable<
  Parameters<typeof tf.layers.batchNormalization>[0]
>;

/** What the subclass reads of tfjs-layers' layer (private there). */
interface Internals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

// tfjs-layers exports its layer classes only through factory functions.
const TfjsBatchNormalization = tf.layers.batchNormalization().constructor as unknown as new (
  args?: BatchNormalizationArgs,
) => tf.layers.Layer;

/**
 * Batch normalisation, a drop-in for `tf.layers.batchNormalization` (same
 * options, weights, configuration and results, up to float rounding) whose
 * training step is faster; see the module doc.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { BatchNormalization } from "./batch_norm_layer.ts";
 * await tf.setBackend("cpu");
 * const bn = new BatchNormalization({ momentum: 0.9 });
 * const y = bn.apply(tf.randomNormal([2, 4, 4, 3]), { training: true }) as tf.Tensor;
 * if (bn.getClassName() !== "BatchNormalization") throw new Error();
 * y.dispose();
 * ```
 */
export class BatchNormalization extends TfjsBatchNormalization {
  /** tfjs-layers' class name: saved models stay in its standard format. */
  static className = "BatchNormalization";

  /**
   * Creates the layer.
   *
   * @param args tfjs-layers' batch-norm options.
   */
  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
  }

  /**
   * The forward pass; in training mode on NHWC over the channels, with the
   * written-out gradient, and the moving averages updated as tfjs-layers does.
   *
   * @param inputs The input.
   * @param kwargs `training` and tfjs-layers' other call options.
   * @returns The output.
   */
  override call(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs: tf.serialization.ConfigDict,
  ): tf.Tensor | tf.Tensor[] {
    const me = this as unknown as Internals;
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    if (
      !kwargs["training"] || input === null || input.rank !== 4 ||
      (me.axis >= 0 ? me.axis : me.axis + 4) !== 3 || !me.scale || !me.center
    ) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { output, mean, variance } = batchNormTraining(
        input as tf.Tensor4D,
        me.gamma.read() as tf.Tensor1D,
        me.beta.read() as tf.Tensor1D,
        { epsilon: me.epsilon },
      );
      movingAverage(me.movingMean, mean, me.momentum);
      movingAverage(me.movingVariance, variance, me.momentum);
      tf.dispose([mean, variance]);
      return output;
    });
  }
}

/** tfjs-layers' update: `v ← v − (v − value)·(1 − momentum)`. */
function movingAverage(variable: tf.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const old = variable.read();
    variable.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - momentum)));
  });
}

// The static fromConfig is tfjs's Serializable one, inherited at run time.
tf.serialization.registerClass(
  BatchNormalization as unknown as tf.serialization.SerializableConstructor<BatchNormalization>,
);
