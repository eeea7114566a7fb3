/**
 * Measuring spectral bias (thesis chapter 2): 2-D FFTs that run on every
 * backend, the frequency-band correspondence (eq. 2.1), the blur and
 * sharpness metrics, and the automatic stopping criterion (eq. 2.8).
 *
 * @module
 */
export {
  AutoStop,
  type AutoStopCallback,
  autoStopCallback,
  type AutoStopCallbackOptions,
  type AutoStopOptions,
  type AutoStopState,
  blurSharpnessRatio,
} from "./auto_stop.ts";
export { type RingBands, ringBands } from "./bands.ts";
export { blurEffectArray, blurMetric, type BlurMetricOptions } from "./blur.ts";
export {
  FBC_GUARD,
  fbcCallback,
  type FbcCallbackOptions,
  type FbcMeasureOptions,
  FbcMeter,
  type FbcOptions,
  type FbcResult,
  type FbcResultWithMap,
  frequencyBandCorrespondence,
} from "./fbc.ts";
export {
  fft1d,
  fft2,
  fft2Array,
  magnitudeSpectrum,
  magnitudeSpectrumArray,
  type MagnitudeSpectrumOptions,
} from "./fft.ts";
export { FBC_GRAY_WEIGHTS, fbcGray, type GrayArray } from "./gray.ts";
export {
  mlvMap,
  mlvMapArray,
  type MlvMapOptions,
  mlvSharpness,
  type MlvSharpnessOptions,
  type MlvVariation,
  weightedMlvSigma,
} from "./mlv.ts";
