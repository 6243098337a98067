// Real metav1.Status errors, as k8s.io/apimachinery/pkg/api/errors/errors.go builds them.

export interface StatusCause {
  reason?: string; // metav1.StatusCause.Type is serialised as "reason"
  message?: string;
  field?: string;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

export class StatusError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message);
  }
  get code(): number {
    return this.body.code;
  }
}

interface Target {
  group: string;
  resource: string; // plural, e.g. "pods"
  name: string;
}

function qualified(t: { group: string; resource: string }): string {
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): StatusError {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) body.details = details;
  return new StatusError(body);
}

export const errors = {
  // errors.NewNotFound: `pods "x" not found`
  notFound: (t: Target) =>
    failure(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, { name: t.name, group: t.group || undefined, kind: t.resource }),
  // errors.NewAlreadyExists
  alreadyExists: (t: Target) =>
    failure(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, { name: t.name, group: t.group || undefined, kind: t.resource }),
  // errors.NewConflict with the storage's OptimisticLockErrorMsg
  conflict: (t: Target, why = 'the object has been modified; please apply your changes to the latest version and try again', causes?: StatusCause[]) =>
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": ${why}`, {
      name: t.name, group: t.group || undefined, kind: t.resource, ...(causes ? { causes } : {}),
    }),
  // errors.NewInvalid: `Kind "name" is invalid: field: message`
  invalid: (kind: string, group: string, name: string, causes: Required<Pick<StatusCause, 'field' | 'message'>>[]) =>
    failure(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
      name, group: group || undefined, kind, causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
    }),
  // a patch that cannot apply (handlers/patch.go interprets it as 422 Invalid with the patch library's message)
  patchFailed: (message: string) => failure(422, 'Invalid', message),
  // errors.NewGenericServerResponse(404, ...) for an unknown resource in a known group-version
  noResource: () => failure(404, 'NotFound', 'the server could not find the requested resource', {}),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  // the authorizer's ForbiddenStatus: `pods is forbidden: ...` for a collection (no name), as kube-apiserver writes it
  // (apiserver pkg/endpoints/handlers/responsewriters/errors.go)
  forbiddenRequest: (t: { group: string; resource: string; name?: string }, why: string) =>
    failure(403, 'Forbidden', `${qualified(t)}${t.name ? ` "${t.name}"` : ''} is forbidden: ${why}`, { ...(t.name ? { name: t.name } : {}), group: t.group || undefined, kind: t.resource }),
  // server-side apply conflicts: a plain 409 whose message lists them and whose causes carry one per field
  // (apiserver pkg/endpoints/handlers/patch.go: errors.NewApplyConflict)
  conflictCauses: (message: string, causes: StatusCause[]) => failure(409, 'Conflict', message, { causes }),
  forbidden: (t: Target, why: string) =>
    failure(403, 'Forbidden', `${qualified(t)} "${t.name}" is forbidden: ${why}`, { name: t.name, group: t.group || undefined, kind: t.resource }),
  // errors.NewTooManyRequests(message, 0): retryAfterSeconds 0, so the HTTP layer sends no Retry-After
  tooManyRequests: (message: string, causes?: StatusCause[]) =>
    failure(429, 'TooManyRequests', message, { ...(causes ? { causes } : {}) }),
  // what kube-apiserver answers a strategic-merge patch on a custom resource (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go)
  unsupportedMediaType: (accepted: string[]) =>
    failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`),
  methodNotAllowed: (verb: string, what: string) => failure(405, 'MethodNotAllowed', `${verb} is not supported on ${what}`),
  // a watch from a compacted resourceVersion: errors.NewResourceExpired
  expired: (message: string) => failure(410, 'Expired', message),
  internal: (message: string) => failure(500, 'InternalError', `Internal error occurred: ${message}`),
};

export function success(code = 200, details?: StatusBody['details']): StatusBody {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) body.details = details;
  return body;
}
