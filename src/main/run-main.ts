import { AppError } from "../errors";

/** Runs an entry point; a startup failure is printed plainly (every config problem listed). */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message =
      error instanceof AppError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`Cannot start: ${message}\n`);
    process.exit(1);
  });
}
