import { hash } from 'node:crypto';
import { ConfigError, type WorkerClass, type WorkerRegistry } from '@bullpen/core';
import type { RequestHandler, Response } from 'express';
import type { ApiConfig } from './config';
import { HttpError } from './http-error';
import type { ApiToken, RateLimit, Role } from './tokens';

export interface Principal {
  name: string;
  role: Role;
  /** The workers this token may enqueue; undefined: every public worker (admin: every worker). */
  workers?: ReadonlySet<string>;
  /** Its enqueue limits (its own, or the API's defaults). */
  rateLimit: RateLimit;
}

/** Whether `principal` may enqueue `cls`: internal workers need an admin token, a scoped token only its workers. */
export function mayEnqueue(principal: Principal, cls: WorkerClass): boolean {
  if (cls.internal && principal.role !== 'admin') return false;
  return principal.workers === undefined || principal.workers.has(cls.name);
}

/** 403 `worker_not_allowed` saying what the token may enqueue instead. */
export function assertMayEnqueue(principal: Principal, cls: WorkerClass): void {
  if (mayEnqueue(principal, cls)) return;
  const why = cls.internal && principal.role !== 'admin'
    ? `${cls.name} is internal: only admin tokens and the beat may enqueue it`
    : `token "${principal.name}" may enqueue only ${[...principal.workers!].join(', ')}`;
  throw new HttpError(403, 'worker_not_allowed', why, { worker: cls.name });
}

/**
 * The principals of the configured tokens, checked against the registry at start: a token
 * naming an unknown worker, or a client token naming an internal one, stops the API.
 */
export function principalsOf(config: Pick<ApiConfig, 'tokens' | 'tokensFrom' | 'rateLimit'>, registry: WorkerRegistry): Map<ApiToken, Principal> {
  const variable = config.tokensFrom;
  return new Map(config.tokens.map((t, i) => {
    for (const name of t.workers ?? []) {
      const where = `entry ${i + 1} (${t.name})`;
      if (!registry.has(name)) throw new ConfigError(variable, `${where}: no worker "${name}" (workers: ${registry.list().map((w) => w.name).join(', ')})`);
      if (registry.get(name).internal && t.role !== 'admin') throw new ConfigError(variable, `${where}: ${name} is internal; only admin tokens may enqueue it`);
    }
    const principal: Principal = { name: t.name, role: t.role, rateLimit: t.rateLimit ?? config.rateLimit, ...(t.workers ? { workers: new Set(t.workers) } : {}) };
    return [t, Object.freeze(principal)];
  }));
}

/** One-shot SHA-256 as hex: no Hash object (as `createHash` makes), no Buffer (a third of the cost of `'buffer'` output). */
const digest = (value: string): string => hash('sha256', value, 'hex');

/** Whether two digests of equal length are equal, in time that depends on their length only: no early exit, no branch on the data. */
function sameDigest(a: string, b: string): boolean {
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Checks presented tokens against `API_TOKENS` in constant time: both sides are hashed to
 * 64-character hex digests (so lengths always match) and every configured token is compared,
 * with no early exit, so timing says neither whether nor which token matched.
 */
export class TokenVerifier {
  private readonly entries: ReadonlyArray<{ digest: string; principal: Principal }>;

  constructor(principals: ReadonlyMap<ApiToken, Principal>) {
    this.entries = [...principals].map(([t, principal]) => ({ digest: digest(t.token), principal }));
  }

  verify(presented: string): Principal | undefined {
    const presentedDigest = digest(presented);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (sameDigest(presentedDigest, entry.digest)) found = entry.principal;
    }
    return found;
  }
}

const allows = (have: Role, need: Role): boolean => need === 'client' || have === 'admin';

/** The caller, as `requireRole` stored it. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** `Authorization: Bearer <token>` with at least `role`; 401 without a valid token, 403 without the role. */
export function requireRole(verifier: TokenVerifier, role: Role): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const principal = token ? verifier.verify(token) : undefined;
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="bullpen"');
      throw new HttpError(401, 'unauthorized', header ? 'the bearer token is not valid' : 'send Authorization: Bearer <token>');
    }
    if (!allows(principal.role, role)) throw new HttpError(403, 'forbidden', `this route needs the ${role} role`);
    res.locals.principal = principal;
    next();
  };
}

/**
 * HTTP Basic auth for the dashboard: any username, an admin token as the password (browsers
 * cannot send bearer tokens on navigation).
 */
export function requireBasicAdmin(verifier: TokenVerifier): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    let principal: Principal | undefined;
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) principal = verifier.verify(decoded.slice(colon + 1));
    }
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Basic realm="bullpen dashboard", charset="UTF-8"');
      throw new HttpError(401, 'unauthorized', 'log in with any username and an admin token as the password');
    }
    if (principal.role !== 'admin') throw new HttpError(403, 'forbidden', 'the dashboard needs an admin token');
    res.locals.principal = principal;
    next();
  };
}
