/**
 * What `bullpen` can fail with. Each is a named class with the exit code it maps to and a message
 * that is the whole story: what went wrong and what to do about it.
 */

/** Exit codes: 1 an error, 2 a bad command line, 3 refused on purpose (nothing was changed). */
export const EXIT = { ok: 0, error: 1, usage: 2, refused: 3 } as const;

export abstract class CliError extends Error {
  abstract readonly exitCode: number;
}

/** A bad command line; the message says what is wrong, the usage follows it. */
export class UsageError extends CliError {
  override name = 'UsageError';
  readonly exitCode = EXIT.usage;
}

/** The Kubernetes API did not answer (no kubeconfig, server down, TLS, timeout). */
export class NoClusterError extends CliError {
  override name = 'NoClusterError';
  readonly exitCode = EXIT.error;
  /** `server` is null when no kubeconfig names one. */
  constructor(readonly server: string | null, reason: string) {
    super(server ? `no Kubernetes cluster reachable at ${server}: ${reason}` : `no Kubernetes cluster: ${reason}`);
  }
}

/** The cluster refused the credentials themselves (401). */
export class UnauthorizedError extends CliError {
  override name = 'UnauthorizedError';
  readonly exitCode = EXIT.error;
  constructor(readonly server: string) {
    super(`unauthorized: ${server} rejected the credentials of the current kubeconfig context (expired token or certificate?)`);
  }
}

/** RBAC said no: names the verb and resource (and its API group) the identity lacks. */
export class ForbiddenError extends CliError {
  override name = 'ForbiddenError';
  readonly exitCode = EXIT.error;
  constructor(
    readonly verb: string,
    readonly resource: string,
    readonly apiGroup: string,
    readonly namespace: string,
    readonly user?: string,
  ) {
    super(
      `forbidden: cannot ${verb} ${resource}${apiGroup ? ` (API group "${apiGroup}")` : ''} in namespace ${namespace}` +
        `${user ? ` as ${user}` : ''}; grant it with a Role (the chart's cli.rbac.enabled=true creates one)`,
    );
  }
}

/** Any other answer from the Kubernetes API that the command cannot go on from. */
export class KubeApiError extends CliError {
  override name = 'KubeApiError';
  readonly exitCode = EXIT.error;
  constructor(readonly verb: string, readonly resource: string, readonly status: number, detail: string) {
    super(`${verb} ${resource}: the Kubernetes API answered ${status}: ${detail}`);
  }
}

/** GROUP names no worker group in the namespace; lists the ones that exist. */
export class UnknownGroupError extends CliError {
  override name = 'UnknownGroupError';
  readonly exitCode = EXIT.error;
  constructor(readonly group: string, readonly namespace: string, readonly known: readonly string[]) {
    super(
      known.length > 0
        ? `unknown worker group "${group}" in namespace ${namespace}; known groups: ${known.join(', ')}`
        : `unknown worker group "${group}": namespace ${namespace} has no Bullpen worker Deployments (is -n right?)`,
    );
  }
}

/** The command would do harm or be undone; nothing was changed. The message says what to do instead. */
export class RefusedError extends CliError {
  override name = 'RefusedError';
  readonly exitCode = EXIT.refused;
}

/** The queue source (the Bullpen API) could not be read. */
export class QueueSourceError extends Error {
  override name = 'QueueSourceError';
}

/** Normalise anything thrown into an Error, once, at the catch site. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
