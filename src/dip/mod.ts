/**
 * Chapter 2's deep image prior: layers (Lipschitz-controlled convolution,
 * mean-only batch normalisation, Gaussian upsampling), the networks of
 * Fig. 4, the baselines (original deep image prior, deep decoder), and the
 * fitting loop with its baseline behaviours (exponential averaging, Langevin
 * dynamics).
 *
 * @module
 */
export * from "./init.ts";
export * from "./spectral_norm.ts";
export * from "./conv.ts";
export * from "./normalization.ts";
export * from "./upsample.ts";
export * from "./network.ts";
export * from "./decoder.ts";
export * from "./conv_net.ts";
export * from "./encoder_decoder.ts";
export * from "./skip_net.ts";
export * from "./deep_decoder.ts";
export * from "./fit.ts";
export * from "./tasks/mod.ts";
