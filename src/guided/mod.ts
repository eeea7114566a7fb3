/**
 * Chapter 3: guided image filtering. The classical filters (box, guided, fast
 * guided, weighted guided) and the thesis's unsharp-mask guided filter
 * (eqs. 3.13–3.15), on HWC float32 images in [0, 1] (or NHWC batches) with
 * gray or colour guides; the learned successive network, the DJF, SVLRM and
 * DGF baselines, synthetic RGB-D training data, the real Aloe test pair,
 * training on the shared loop and masked scoring.
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
export {
  applyConv,
  type ConvWeights,
  type GuidedNetwork,
  ParameterStore,
} from "./guided_network.ts";
export {
  createSuccessiveNetwork,
  type SuccessiveNetwork,
  type SuccessiveNetworkConfig,
  type SuccessiveParts,
} from "./successive_network.ts";
export {
  type BaselineChannels,
  createDgf,
  createDjf,
  createSvlrm,
  type DgfConfig,
  type DjfConfig,
  type SvlrmConfig,
} from "./baselines.ts";
export {
  renderRgbdArrays,
  renderRgbdScene,
  type RgbdScene,
  type RgbdSceneOptions,
} from "./synthetic_rgbd.ts";
export {
  type BatchOptions,
  checkTask,
  downUp,
  type GuidedBatch,
  type GuidedSample,
  type GuidedTask,
  makeSample,
  mixSeed,
  type NoiseLevel,
  TASK_KINDS,
  taskChannels,
  trainingBatch,
} from "./tasks.ts";
export { ALOE_DISPARITY_SCALE, type AloePair, aloeSample, fillInvalid, loadAloe } from "./aloe.ts";
export {
  filterImage,
  type FilterImageOptions,
  type FilterScores,
  scoreOutput,
} from "./evaluate.ts";
export { guidedLoss, trainGuidedNetwork, type TrainGuidedOptions } from "./train.ts";
