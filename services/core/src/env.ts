import { ConfigError } from './errors';
import { isQueueName, type QueueName } from './queues';

/**
 * Parsers for environment variables. Each takes the variable's name so that a bad value fails
 * with one line naming it; an unset or empty variable takes the default.
 */
export type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

export function readString(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function readInteger(env: Env, name: string, fallback: number, range: { min: number; max?: number }): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `expected an integer, got "${value}"`);
  const n = Number(value);
  if (n < range.min || (range.max !== undefined && n > range.max)) {
    const bounds = range.max === undefined ? `>= ${range.min}` : `between ${range.min} and ${range.max}`;
    throw new ConfigError(name, `must be ${bounds}, got ${n}`);
  }
  return n;
}

export function readUrl(env: Env, name: string, fallback: string, protocols: readonly string[]): string {
  const value = raw(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `not a URL: "${value}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `expected ${protocols.map((p) => `${p}//`).join(' or ')}, got "${url.protocol}//"`);
  }
  if (!url.hostname) throw new ConfigError(name, `no host in "${value}"`);
  return value;
}

export function readQueueList(env: Env, name: string, fallback: readonly QueueName[]): QueueName[] {
  const value = raw(env, name);
  if (value === undefined) return [...fallback];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new ConfigError(name, 'names no queue');
  const unknown = names.filter((n) => !isQueueName(n));
  if (unknown.length > 0) {
    throw new ConfigError(name, `unknown queue "${unknown[0]}" (known: critical, default, low)`);
  }
  return [...new Set(names)] as QueueName[];
}

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port,host:port`; undefined when unset. IPv6 hosts go in brackets: `[::1]:26379`. */
export function readHostPorts(env: Env, name: string): HostPort[] | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new ConfigError(name, 'names no host:port');
  return entries.map((entry) => {
    const match = /^(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) throw new ConfigError(name, `expected host:port[,host:port...], got "${entry}"`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
}

/** A host name or IP address to listen on; undefined when unset (all interfaces). */
export function readHost(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value !== undefined && !/^(\[?[0-9a-fA-F:]+\]?|[\w.-]+)$/.test(value)) throw new ConfigError(name, `expected a host name or IP address, got "${value}"`);
  return value?.replace(/^\[|\]$/g, '');
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && (host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host));
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function readLogLevel(env: Env, name: string): string {
  const value = readString(env, name, 'info');
  if (!LOG_LEVELS.includes(value)) throw new ConfigError(name, `expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return value;
}
