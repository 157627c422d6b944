import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { ApiToken, Role } from './config';
import { HttpError } from './http-error';

export interface Principal {
  name: string;
  role: Role;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Checks presented tokens against `API_TOKENS` in constant time: both sides are hashed to
 * 32-byte digests (so lengths always match) and every configured token is compared, with no
 * early exit, so timing says neither whether nor which token matched.
 */
export class TokenVerifier {
  private readonly entries: ReadonlyArray<{ digest: Buffer; principal: Principal }>;

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map((t) => ({ digest: digest(t.token), principal: Object.freeze({ name: t.name, role: t.role }) }));
  }

  verify(presented: string): Principal | undefined {
    const presentedDigest = digest(presented);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(presentedDigest, entry.digest)) found = entry.principal;
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
