/**
 * Chapters 4 and 5: counting objects by regressing a density map whose sum
 * is the count. Point annotations and their readers (our JSON, dot images,
 * ShanghaiTech, UCF-QNRF, JHU-Crowd++, NWPU, TRANCOS), datasets with splits,
 * crops and tiles; count-exact density maps (fixed, geometry-adaptive,
 * non-uniform, box kernels) and the targets derived from them; MAE, RMSE,
 * NMAE and GAME; the base networks; training on the shared loop and tiled
 * evaluation; focus for free (ch. 4); background reduction, occlusion
 * creation and distilled density maps (ch. 5).
 *
 * @module
 */
export * from "./points.ts";
export * from "./annotation_error.ts";
export * from "./mat.ts";
export * from "./formats/json.ts";
export * from "./formats/dots.ts";
export * from "./formats/matlab.ts";
export * from "./formats/text.ts";
export * from "./read_points.ts";
export * from "./layouts.ts";
export * from "./sample.ts";
export * from "./splits.ts";
export * from "./augment.ts";
export * from "./tiles.ts";
export * from "./dataset.ts";
export * from "./plane.ts";
export * from "./knn.ts";
export * from "./sigma.ts";
export * from "./density.ts";
export * from "./downsample.ts";
export * from "./segmentation.ts";
export * from "./foreground.ts";
export * from "./global_density.ts";
export * from "./metrics.ts";
export * from "./game.ts";
export * from "./networks/mod.ts";
export * from "./train.ts";
export * from "./batches.ts";
export * from "./evaluate.ts";
export * from "./fit_counter.ts";
export * from "./counter.ts";
export * from "./focal_loss.ts";
export * from "./bilinear_pool.ts";
export * from "./focus.ts";
export * from "./background.ts";
export * from "./cascade.ts";
export * from "./occlusion.ts";
export * from "./distill.ts";
