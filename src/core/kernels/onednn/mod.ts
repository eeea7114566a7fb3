/**
 * oneDNN's convolutions and a few memory-bound ops as native kernels of
 * tfjs's wasm backend, through `Deno.dlopen` (see `kernels.ts`); `useBackend`
 * turns them on and off.
 *
 * @module
 */
export {
  disableNativeKernels,
  enableNativeKernels,
  NATIVE_KERNELS,
  nativeConvStats,
  type NativeKernelsInfo,
  nativeKernelsInfo,
  type NativeKernelsOptions,
  type NativeRuns,
  nativeRuns,
} from "./kernels.ts";
export type { ConvStats } from "./conv.ts";
export {
  chooseThreads,
  JOBS_ENV,
  type ThreadChoice,
  type ThreadContext,
  THREADS_ENV,
} from "./threads.ts";
export { ONEDNN_LIBRARY_ENV, ONEDNN_LIBRARY_NAMES } from "./library.ts";
