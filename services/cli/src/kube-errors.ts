import { ForbiddenError, KubeApiError, NoClusterError, UnauthorizedError, type CliError } from './errors';

/** What a Kubernetes call was about, so that a failure can name it. */
export interface KubeCall {
  verb: 'get' | 'list' | 'patch';
  /** Plural resource, with subresource: "deployments", "deployments/scale". */
  resource: string;
  /** API group: "apps", "autoscaling", "keda.sh". */
  apiGroup: string;
  namespace: string;
}

/** An answer from the API server (client-node's ApiException), by duck type: the class lives in an ES module. */
interface ApiAnswer {
  code: number;
  body: unknown;
}

export function isApiAnswer(err: unknown): err is ApiAnswer {
  return err instanceof Error && typeof (err as Partial<ApiAnswer>).code === 'number' && 'body' in err;
}

/** Turns what a client-node call threw into the CLI's error for it. */
export function kubeError(err: unknown, call: KubeCall, server: string): CliError | Error {
  if (isApiAnswer(err)) {
    const status = statusOf(err.body);
    if (err.code === 401) return new UnauthorizedError(server);
    if (err.code === 403) {
      const user = /User "([^"]+)"/.exec(status.message ?? '')?.[1];
      return new ForbiddenError(call.verb, call.resource, call.apiGroup, call.namespace, user);
    }
    return new KubeApiError(call.verb, `${call.resource} in namespace ${call.namespace}`, err.code, status.message ?? (status.reason || 'no message'));
  }
  // node-fetch's FetchError (ECONNREFUSED, ENOTFOUND, certificate errors) and our own timeout.
  if (err instanceof Error && (err.name === 'FetchError' || err.name === 'KubeTimeout' || typeof (err as { code?: unknown }).code === 'string')) {
    const code = (err as { code?: string }).code;
    return new NoClusterError(server, code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** The Status object Kubernetes answers errors with; client-node hands it over as text or parsed. */
function statusOf(body: unknown): { message?: string; reason?: string } {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string };
    } catch {
      return { message: body.slice(0, 200) };
    }
  }
  return body && typeof body === 'object' ? body : {};
}
