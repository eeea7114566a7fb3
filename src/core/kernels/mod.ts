/**
 * Convolution gradients built from forward convolutions, the wasm kernels
 * made of them, and dilation-aware conv gradients.
 *
 * @module
 */
export * from "./conv2d_grad.ts";
export * from "./depthwise_grad.ts";
export * from "./conv_gradients.ts";
export * from "./cpu_kernels.ts";
export * from "./wasm_kernels.ts";
