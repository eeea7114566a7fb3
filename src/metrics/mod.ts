/**
 * Image quality metrics: PSNR, SSIM (scikit-image conventions), RMSE and
 * MAE, with optional masks, returned as numbers (or promises of numbers, the
 * `*Async` forms, for the WebGPU backend).
 *
 * @module
 */
export * from "./psnr.ts";
export * from "./ssim.ts";
export * from "./error.ts";
