import { createHmac, randomUUID } from 'node:crypto';
import type { Principal } from './auth';

/** Hex characters of the owner tag: 64 bits, so guessing another token's tag is hopeless. */
const TAG_LENGTH = 16;

/**
 * Which token enqueued a job, carried in the job's id: every id the API makes starts with an
 * owner tag, `HMAC(API_ID_SECRET, token name)`, then `-`. A client reads a job only when the id
 * carries its own tag, so the check costs no Redis round trip and no job field, and an id leaked
 * to another client is still a 404 for it: without the secret no one can make another's tag.
 */
export class JobOwnership {
  private readonly tags = new Map<string, string>();

  constructor(private readonly secret: string) {}

  /** The owner tag of the token named `name`. */
  tagOf(name: string): string {
    let tag = this.tags.get(name);
    if (tag === undefined) {
      tag = createHmac('sha256', this.secret).update(`owner\0${name}`).digest('hex').slice(0, TAG_LENGTH);
      this.tags.set(name, tag);
    }
    return tag;
  }

  /** A job id owned by `principal`: its tag, then `rest` (a fresh UUID by default). */
  newId(principal: Principal, rest: string = randomUUID()): string {
    return `${this.tagOf(principal.name)}-${rest}`;
  }

  /** Admin tokens read every job; a client token only the jobs whose id carries its tag. */
  mayRead(principal: Principal, id: string): boolean {
    return principal.role === 'admin' || id.startsWith(`${this.tagOf(principal.name)}-`);
  }
}
