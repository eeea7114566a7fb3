/**
 * The reproduction of thesis chapter 3 (unsharp-mask guided filtering):
 * settings per profile, the experiments, claims, tables and the session
 * shared by `deno task repro:chapter3` and the chapter 3 notebooks.
 *
 * @module
 */
export * from "./settings.ts";
export * from "./experiments.ts";
export * from "./claims.ts";
export * from "./tables.ts";
export * from "./session.ts";
