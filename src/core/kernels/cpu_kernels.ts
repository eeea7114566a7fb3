/**
 * A fix for the cpu backend: tfjs-backend-cpu 4.22's `ResizeBilinearGrad`
 * computes the right values in `[B, H, W, C]` order but reports the shape
 * `[B, W, H, C]`, so the gradient of `tf.image.resizeBilinear` throws for
 * every non-square image ("The gradient of input 'images' has shape ...").
 * {@linkcode registerCpuKernels} wraps the kernel to report the input's
 * shape. `useBackend` calls it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

let registered = false;

/**
 * Registers the corrected cpu `ResizeBilinearGrad` (see the module doc).
 * Idempotent.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { registerCpuKernels } from "./cpu_kernels.ts";
 * registerCpuKernels();
 * await tf.setBackend("cpu");
 * const up = (x: tf.Tensor) => tf.image.resizeBilinear(x as tf.Tensor4D, [6, 4]).sum();
 * if (tf.grad(up)(tf.ones([1, 3, 2, 1])).shape.join() !== "1,3,2,1") throw new Error();
 * ```
 */
export function registerCpuKernels(): void {
  if (registered) return;
  const native = tf.getKernel("ResizeBilinearGrad", "cpu");
  if (native === undefined) return;
  tf.unregisterKernel("ResizeBilinearGrad", "cpu");
  tf.registerKernel({
    ...native,
    kernelFunc: (args) => {
      const out = native.kernelFunc(args) as tf.TensorInfo;
      return { ...out, shape: [...args.inputs.images!.shape] };
    },
  });
  registered = true;
}
