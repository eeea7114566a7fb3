/**
 * The shared core: argument checks, seeded random numbers, backends,
 * progress, and the optimisation loop.
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
