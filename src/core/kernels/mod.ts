/**
 * Convolution gradients built from forward convolutions, the wasm kernels
 * made of them, dilation-aware conv gradients, and oneDNN's native kernels
 * for wasm.
 *
 * @module
 */
export * from "./conv2d_grad.ts";
export * from "./depthwise_grad.ts";
export * from "./conv_gradients.ts";
export * from "./cpu_kernels.ts";
export * from "./wasm_kernels.ts";
export * from "./onednn/mod.ts";
