/**
 * The error every annotation reader throws for a missing, corrupt or
 * mismatched file, naming the file and what is wrong.
 *
 * @module
 */

/**
 * Error for an annotation that cannot be read; the message reads
 * `cannot read annotation <source>: <reason>`.
 */
export class AnnotationError extends Error {
  /** The file's path (JSON-quoted, as `readImage` names files). */
  readonly source: string;
  /** What is wrong. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param source The file's path, quoted.
   * @param reason What is wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(source: string, reason: string, options?: ErrorOptions) {
    super(`cannot read annotation ${source}: ${reason}`, options);
    this.name = "AnnotationError";
    this.source = source;
    this.reason = reason;
  }
}

/**
 * Names a file for messages the way the io readers do (JSON-quoted path).
 *
 * @param path A path or `file:` URL.
 * @returns The quoted name.
 */
export function fileName(path: string | URL): string {
  return JSON.stringify(path instanceof URL ? path.href : path);
}

/**
 * Reads a file's bytes, turning file-system errors into an
 * {@linkcode AnnotationError} that names the file.
 *
 * @param path The file.
 * @returns Its bytes.
 */
export async function readAnnotationBytes(path: string | URL): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (cause) {
    const reason = cause instanceof Deno.errors.NotFound
      ? "file not found"
      : cause instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : cause instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : cause instanceof Error
      ? cause.message
      : String(cause);
    throw new AnnotationError(fileName(path), reason, { cause });
  }
}
