// Every error the API returns is one of these, rendered as JSON by the error handler in app.ts.
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message, 'BAD_REQUEST');
export const forbidden = (message: string) => new HttpError(403, message, 'FORBIDDEN');
export const notFound = (message: string) => new HttpError(404, message, 'NOT_FOUND');
export const tooLarge = (message: string) => new HttpError(413, message, 'RESPONSE_TOO_LARGE');

interface GoogleApiError {
  code?: number | string;
  errors?: { reason?: string; message?: string }[];
  message?: string;
}

/** Maps a BigQuery client failure to what our caller should see; never leaks BigQuery's message for 5xx. */
export function fromBigQueryError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const apiError = (error ?? {}) as GoogleApiError;
  const status = typeof apiError.code === 'number' ? apiError.code : Number(apiError.code);
  const reason = apiError.errors?.[0]?.reason ?? '';
  if (status === 404 || reason === 'notFound') return notFound('table not found');
  if (['rateLimitExceeded', 'quotaExceeded'].includes(reason) || status === 429) {
    return new HttpError(503, 'BigQuery quota exceeded, retry later', 'UPSTREAM_QUOTA', {
      'retry-after': '30',
    });
  }
  if (reason === 'bytesBilledLimitExceeded') {
    return new HttpError(413, 'query would scan more bytes than allowed', 'QUERY_TOO_EXPENSIVE');
  }
  if (
    reason === 'timeout' ||
    reason === 'jobTimeout' ||
    /did not complete before/.test(apiError.message ?? '')
  ) {
    return queryTimeout();
  }
  return new HttpError(502, 'BigQuery request failed', 'UPSTREAM_ERROR');
}

/** Too much BigQuery work already in flight on this instance (MAX_CONCURRENT_BIGQUERY_CALLS): retry in a second. */
export const overloaded = () =>
  new HttpError(503, 'too many BigQuery calls in flight on this instance, retry shortly', 'OVERLOADED', {
    'retry-after': '1',
  });

/**
 * Which failed BigQuery HTTP calls are retried inside the deadline. @google-cloud/common 8.2 decides on the status
 * alone (util.parseHttpRespMessage hands its retry test an error without the body's reasons) and retries 408, 429,
 * 500, 502, 503, 504: a 429 retried adds load exactly when BigQuery asks for less, so it (and any rate or quota reason
 * we are shown) fails at once as 503 + Retry-After; BigQuery's 403 rateLimitExceeded was never retried.
 */
export function retryable(error: { code?: number | string; errors?: { reason?: string }[] }): boolean {
  const reasons = (error.errors ?? []).map((e) => e.reason ?? '');
  if (error.code === 429 || reasons.some((reason) => /rateLimitExceeded|quotaExceeded/i.test(reason)))
    return false;
  return (
    [408, 500, 502, 503, 504].includes(Number(error.code)) ||
    reasons.some((reason) => reason.includes('EAI_AGAIN'))
  );
}

export const queryTimeout = () => new HttpError(504, 'BigQuery did not answer in time', 'UPSTREAM_TIMEOUT');
