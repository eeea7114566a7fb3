/**
 * `deno task count`: the command-line tool that counts objects in a folder
 * of images with a trained counter (`predict`), trains one on a few
 * annotated images (`train`), scores one (`eval`) and writes a
 * self-contained counting web page (`page`). The pieces (argument parsing,
 * pairing images with annotations, output folders that are not overwritten
 * without `--force`, density pictures) are exported for reuse.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./args.ts";
export * from "./context.ts";
export * from "./images.ts";
export * from "./data.ts";
export * from "./output.ts";
export * from "./kernel.ts";
export * from "./networks.ts";
export * from "./model.ts";
export * from "./render.ts";
export * from "./report_parts.ts";
export { PREDICT_HELP, predictCommand } from "./predict.ts";
export { TRAIN_HELP, TRAIN_OUTPUTS, trainCommand } from "./train.ts";
export { EVAL_HELP, evalCommand } from "./eval.ts";
export { PAGE_HELP, pageCommand } from "./page.ts";
export { COUNT_HELP, countMain } from "./main.ts";
