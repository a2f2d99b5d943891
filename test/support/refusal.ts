import { AppError } from "../../src/errors";

/** The typed refusal `run` throws; fails the test when it throws nothing or something else. */
export function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}
