/**
 * Images: reading and writing PNG/JPEG as float32 HWC tensors in [0, 1],
 * colour conversion (BT.601 YCbCr), the degradations of the thesis (Gaussian
 * noise, JPEG compression), centred crops and Pillow-compatible resizing.
 *
 * @module
 */
export * from "./format.ts";
export * from "./read.ts";
export * from "./png16.ts";
export * from "./write.ts";
export * from "./png.ts";
export * from "./jpeg.ts";
export * from "./color.ts";
export * from "./noise.ts";
export * from "./crop.ts";
export * from "./resize.ts";
