/**
 * Reproduction of the thesis's chapters: profiles, command line, claims,
 * tables and the report of a run.
 *
 * @module
 */
export * from "./profile.ts";
export * from "./claims.ts";
export * from "./table.ts";
export * from "./cli.ts";
export * from "./data.ts";
export * from "./run.ts";
export * from "./session_run.ts";
export * from "./chapter2/mod.ts";
export * from "./chapter3/mod.ts";
export * from "./chapter5/mod.ts";
export * from "./chapter4/mod.ts";
export * from "./jobs.ts";
