/**
 * pixelbias: inductive biases for pixel representation learning, as a Deno
 * toolkit over TensorFlow.js.
 *
 * @module
 */
export * from "./src/core/mod.ts";
export * from "./src/io/mod.ts";
export * from "./src/metrics/mod.ts";
export * from "./src/plot/mod.ts";
export * from "./src/guided/mod.ts";
export * from "./src/fbc/mod.ts";
export * from "./src/dip/mod.ts";
export * from "./src/counting/mod.ts";
export * from "./src/repro/mod.ts";
