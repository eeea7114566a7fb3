/**
 * Chapter 3: guided image filtering. The classical filters (box, guided, fast
 * guided, weighted guided) and the thesis's unsharp-mask guided filter
 * (eqs. 3.13–3.15), on HWC float32 images in [0, 1] (or NHWC batches) with
 * gray or colour guides.
 *
 * @module
 */
export { boxFilter } from "./box_filter.ts";
export { guidedFilter, type GuidedFilterOptions } from "./guided_filter.ts";
export { fastGuidedFilter, type FastGuidedFilterOptions } from "./fast_guided_filter.ts";
export {
  type EdgeAwareOptions,
  edgeAwareWeighting,
  weightedGuidedFilter,
  type WeightedGuidedFilterOptions,
} from "./weighted_guided_filter.ts";
export {
  type BoxLowPass,
  gaussianFilter,
  type GaussianLowPass,
  type LowPass,
  lowPassFilter,
} from "./low_pass.ts";
export {
  type Amount,
  unsharpMaskGuidedFilter,
  type UnsharpMaskGuidedFilterOptions,
  unsharpMaskGuidedFilterParts,
  type UnsharpMaskParts,
} from "./unsharp_mask_guided_filter.ts";
