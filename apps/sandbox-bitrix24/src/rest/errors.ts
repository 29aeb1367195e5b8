// The error catalogue of the simulated portal: codes, descriptions and HTTP statuses exactly as reference §2.3–§2.4
// list them (empty codes of legacy CRM included). Handlers throw RestError; the dispatcher turns it into the envelope.

export class RestError extends Error {
  constructor(
    /** The `error` field; legacy CRM uses "", tasks "0"/"100", the catalog numbers such as 200040300000. */
    readonly code: string | number,
    readonly description: string,
    readonly status = 400,
    /** Extra keys merged into the error envelope (e.g. `argument` for ERROR_ARGUMENT). */
    readonly extra: Record<string, string> = {},
  ) {
    super(`${code || '(empty code)'}: ${description}`);
  }

  body(): Record<string, string | number> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

/** Settings that the reference marks UNCONFIRMED, adjustable through /_admin/settings. */
export interface ErrorSettings {
  invalidCredentialsStatus: number;
  insufficientScopeStatus: number;
}

export const errors = {
  // Auth (OAuthException: 401 unless the provider says otherwise).
  noAuth: () => new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401),
  invalidCredentials: (s: ErrorSettings) => new RestError('INVALID_CREDENTIALS', 'Invalid request credentials', s.invalidCredentialsStatus),
  insufficientScope: (s: ErrorSettings) =>
    new RestError('insufficient_scope', 'The request requires higher privileges than provided by the webhook token', s.insufficientScopeStatus),
  expiredToken: () => new RestError('expired_token', 'The access token provided has expired', 401),
  invalidToken: () => new RestError('invalid_token', 'The access token provided is invalid.', 401),
  httpsRequired: () => new RestError('INVALID_REQUEST', 'Https required.', 400),
  wrongAuthType: () => new RestError('WRONG_AUTH_TYPE', 'Application context required', 403),
  userAccess: () => new RestError('user_access_error', 'The user does not have access to the application.', 403),
  // Limits.
  queryLimit: () => new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503),
  operationTimeLimit: () => new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429),
  overload: () => new RestError('OVERLOAD_LIMIT', 'REST API is blocked due to overload.', 503),
  // Dispatch.
  methodNotFound: () => new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404),
  batchLength: () => new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded', 400),
  batchMethodNotAllowed: () => new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 405),
  // Module-level.
  legacy: (text: string) => new RestError('', text, 400),
  notFoundLegacy: () => new RestError('', 'Not found', 400),
  idInvalid: () => new RestError('', 'ID is not defined or invalid.', 400),
  fieldsNotArray: () => new RestError('', "Parameter 'fields' must be array.", 400),
  accessDenied: (text = 'Access denied!', status = 403) => new RestError('ACCESS_DENIED', text, status),
  core: (text: string) => new RestError('ERROR_CORE', text, 400),
  argument: (text: string, argument: string) => new RestError('ERROR_ARGUMENT', text, 400, { argument }),
  notFound: (text: string) => new RestError('NOT_FOUND', text, 400),
  crmFieldValue: (field: string) => new RestError('CRM_FIELD_ERROR_VALUE_NOT_VALID', `Invalid value for field "${field}"`, 400),
  entityNotFound: (id: string | number) => new RestError('ERROR_NOT_FOUND', `Could not find entity with id '${id}'`, 400),
  diskNameTaken: () => new RestError('DISK_OBJ_22000', 'A file with this name already exists', 400),
  diskRequiredName: () => new RestError('DISK_BASE_SERVICE_22001', 'Error: required parameter NAME (DISK_BASE_SERVICE_22001)', 400),
  eventNotFound: () => new RestError('ERROR_EVENT_NOT_FOUND', 'Event not found', 400),
};
