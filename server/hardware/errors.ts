/**
 * ModelFileError: a model file that can't be used, and why. The RPC edge maps `not_found` to
 * NotFound and `invalid` to InvalidArgument, naming the request field.
 */
export type ModelFileProblem = "not_found" | "invalid";

export class ModelFileError extends Error {
  override readonly name = "ModelFileError";
  readonly problem: ModelFileProblem;

  constructor(problem: ModelFileProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** An `invalid` ModelFileError. */
export function invalidModel(message: string): ModelFileError {
  return new ModelFileError("invalid", message);
}
