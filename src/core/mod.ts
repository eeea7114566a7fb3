/**
 * The shared core: argument checks, seeded random numbers, backends,
 * progress, the optimisation loop, and batch normalisation with a written-out
 * training gradient.
 *
 * @module
 */
export * from "./checks.ts";
export * from "./rng.ts";
export * from "./backend.ts";
export * from "./kernels/mod.ts";
export * from "./progress.ts";
export * from "./progress_group.ts";
export * from "./history.ts";
export * from "./checkpoint.ts";
export * from "./optimize.ts";
export * from "./adam.ts";
export * from "./batch_norm.ts";
export * from "./batch_norm_layer.ts";
