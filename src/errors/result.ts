/** Expected outcomes as values: every problem listed, with a stable code and a path. */
export interface Problem {
  code: string;
  path: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(...problems: Problem[]): Result<T> {
  return { ok: false, problems };
}
