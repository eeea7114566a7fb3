/**
 * Measuring spectral bias (thesis chapter 2): 2-D FFTs that run on every
 * backend, the frequency-band correspondence (eq. 2.1), the blur and
 * sharpness metrics, and the automatic stopping criterion (eq. 2.8).
 *
 * @module
 */
export * from "./auto_stop.ts";
export * from "./bands.ts";
export * from "./blur.ts";
export * from "./fbc.ts";
export * from "./fft.ts";
export * from "./gray.ts";
export * from "./mlv.ts";
