/**
 * The base networks of chapters 4 and 5 (MCNN, CSRNet, the
 * encoder-distiller-decoder, FCRN-A, an HRNet-style network), built from
 * tfjs's built-in layers with explicit names and seeded initialisation;
 * their weights by stable name; saving and loading models as files; and
 * loading pretrained weights from a file.
 *
 * @module
 */
export * from "./network.ts";
export * from "./mcnn.ts";
export * from "./csrnet.ts";
export * from "./encoder_distiller_decoder.ts";
export * from "./fcrn.ts";
export * from "./hrnet.ts";
export * from "./model_io.ts";
export * from "./load_weights.ts";
export { DilatedConv2D, type InitKind, makeDilationsTrainable } from "./_layers.ts";
