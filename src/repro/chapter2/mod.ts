/**
 * The reproduction of thesis chapter 2 (spectral bias of the deep image
 * prior): settings per profile, the experiments, their runner, claims,
 * tables, figures and the session shared by `deno task repro:chapter2` and
 * the chapter 2 notebooks.
 *
 * @module
 */
export * from "./settings.ts";
export * from "./images.ts";
export * from "./experiments.ts";
export * from "./record.ts";
export * from "./runner.ts";
export * from "./session.ts";
export * from "./claims.ts";
export * from "./tables.ts";
export * from "./pilot.ts";
export * from "./figures.ts";
export * from "./summary.ts";
