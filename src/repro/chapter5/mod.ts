/**
 * The reproduction of thesis chapter 5 (three things for improving
 * density-based counting): settings per profile, the data, the experiments,
 * claims, tables, figures and the session shared by `deno task
 * repro:chapter5` and the chapter 5 notebooks.
 *
 * @module
 */
export * from "./settings.ts";
export * from "./data.ts";
export * from "./experiments.ts";
export * from "./measures.ts";
export * from "./claims.ts";
export * from "./tables.ts";
export * from "./figures.ts";
export * from "./session.ts";
