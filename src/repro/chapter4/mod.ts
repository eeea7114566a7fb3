/**
 * The reproduction of thesis chapter 4 (counting with focus for free):
 * settings per profile, the datasets, the experiments, claims, tables and
 * the session shared by `deno task repro:chapter4` and the chapter 4
 * notebooks.
 *
 * @module
 */
export * from "./settings.ts";
export * from "./data.ts";
export * from "./experiments.ts";
export * from "./aggregate.ts";
export * from "./claims.ts";
export * from "./tables.ts";
export * from "./session.ts";
