/**
 * A request the service refuses, with the HTTP-style status a transport should answer with and a
 * sentence for the person using the app. Anything else thrown while serving is a bug (500).
 */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** The engine's own refusals ("cannot add X: no such folder") are about the request, not bugs. */
export function asRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RequestError(422, message);
}
