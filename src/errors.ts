// A small error taxonomy with stable codes. Messages name the operation and the
// identifier; HTTP responses carry the code and a client-facing message only.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'AMBIGUOUS'
  | 'METHOD_NOT_ALLOWED'
  | 'DOCKER_UNAVAILABLE'
  | 'DOCKER_API_ERROR'
  | 'DOCKER_BAD_RESPONSE'
  | 'DOCKER_TIMEOUT'
  | 'DOCKER_FORBIDDEN_REQUEST'
  | 'UNAUTHORIZED'
  | 'INTERNAL';

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  override name = 'AppError';
}

/** A setting has a bad value. main.ts prints the message and exits with code 2. */
export class ConfigError extends AppError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
  override name = 'ConfigError';
}

/** The client asked for something malformed (HTTP 400). */
export class BadRequestError extends AppError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
  override name = 'BadRequestError';
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
  override name = 'NotFoundError';
}

/** A container prefix fits several containers (HTTP 409). */
export class AmbiguousError extends AppError {
  readonly candidates: readonly string[];
  constructor(message: string, candidates: readonly string[]) {
    super('AMBIGUOUS', message);
    this.candidates = candidates;
  }
  override name = 'AmbiguousError';
}

export class MethodNotAllowedError extends AppError {
  readonly allow: readonly string[];
  constructor(method: string, allow: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `method ${method} is not allowed; use ${allow.join(' or ')}`);
    this.allow = allow;
  }
  override name = 'MethodNotAllowedError';
}

/** The daemon cannot be reached at all: socket missing, permission denied, refused. */
export class DockerUnavailableError extends AppError {
  /** What the operator should do about it, in one sentence. */
  readonly hint: string;
  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super('DOCKER_UNAVAILABLE', message, options);
    this.hint = hint;
  }
  override name = 'DockerUnavailableError';
}

/** The daemon answered with a non-2xx status. */
export class DockerApiError extends AppError {
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super('DOCKER_API_ERROR', message, options);
    this.status = status;
  }
  override name = 'DockerApiError';
}

/** The daemon's answer could not be used: not JSON, too large, cut short. */
export class DockerBadResponseError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DOCKER_BAD_RESPONSE', message, options);
  }
  override name = 'DockerBadResponseError';
}

/** A connect, idle or total deadline passed; the request was aborted. */
export class DockerTimeoutError extends AppError {
  constructor(message: string) {
    super('DOCKER_TIMEOUT', message);
  }
  override name = 'DockerTimeoutError';
}

/** The client refused to send a request outside its allowlist. Never reaches the daemon. */
export class ForbiddenDockerRequestError extends AppError {
  constructor(message: string) {
    super('DOCKER_FORBIDDEN_REQUEST', message);
  }
  override name = 'ForbiddenDockerRequestError';
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** The message of anything thrown, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
