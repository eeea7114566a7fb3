/**
 * The tasks of thesis chapter 2 — denoising, JPEG deblocking, inpainting,
 * super-resolution and detail enhancement — as data, forward operators and
 * scores: {@linkcode prepareTask} builds what `fitDip` needs from a clean
 * image; the Lanczos downsampler, masks, benchmark luma and unsharp masking
 * are exported for direct use.
 *
 * @module
 */
export * from "./task.ts";
export * from "./lanczos.ts";
export * from "./masks.ts";
export * from "./luma.ts";
export * from "./enhance.ts";
