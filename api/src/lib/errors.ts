/**
 * One error type for the API, with a closed set of codes. Every failure a client can see is
 * one of these, rendered as RFC 9457 problem+json by `renderProblem`.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, title: 'Bad request / 请求无效' },
  validation_failed: { status: 400, title: 'Validation failed / 参数校验失败' },
  unauthorized: { status: 401, title: 'Unauthorized / 未认证' },
  forbidden: { status: 403, title: 'Forbidden / 无权限' },
  not_found: { status: 404, title: 'Not found / 未找到' },
  method_not_allowed: { status: 405, title: 'Method not allowed / 不支持的方法' },
  conflict: { status: 409, title: 'Conflict / 冲突' },
  payload_too_large: { status: 413, title: 'Payload too large / 请求体过大' },
  unprocessable: { status: 422, title: 'Unprocessable / 无法处理' },
  rate_limited: { status: 429, title: 'Too many requests / 请求过于频繁' },
  internal: { status: 500, title: 'Internal error / 内部错误' },
  unavailable: { status: 503, title: 'Service unavailable / 服务不可用' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: extra.cause });
    this.name = 'ApiError';
    this.code = code;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
}

export function toProblem(error: ApiError, requestId: string): Problem {
  const problem: Problem = {
    type: `/docs#error-${error.code}`,
    title: ERROR_CODES[error.code].title,
    status: error.status,
    detail: error.message,
    code: error.code,
    requestId,
  };
  if (error.errors) problem.errors = error.errors;
  return problem;
}

export const notFound = (entity: string, id: string) =>
  new ApiError('not_found', `${entity} ${id} does not exist / 不存在`);

export const invalidField = (path: string, message: string) =>
  new ApiError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
