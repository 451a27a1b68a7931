import { randomBytes } from 'node:crypto';
import { isLoopback } from '@optline/http';

/** API-only settings, read from the environment next to the shared OptlineConfig. */
export interface ApiOptions {
  /** OPTLINE_API_TOKEN: the Bearer token every /v1 request must carry. */
  token: string;
  /** True when OPTLINE_API_TOKEN was unset and `token` was generated at start. */
  tokenGenerated: boolean;
  /** OPTLINE_API_HOST (default 127.0.0.1); forced to loopback when the token was generated. */
  host: string;
  /** Largest request body in bytes (413 above): a settings document is at most a few kB. */
  bodyLimit: number;
}

export const API_BODY_LIMIT = 64 * 1024;

export function loadApiOptions(env: NodeJS.ProcessEnv = process.env): ApiOptions {
  const configured = env.OPTLINE_API_TOKEN?.trim();
  const requestedHost = env.OPTLINE_API_HOST?.trim() || '127.0.0.1';
  // A token nobody configured is known only from this process's log: never expose it beyond
  // this machine.
  const host = configured || isLoopback(requestedHost) ? requestedHost : '127.0.0.1';
  return {
    token: configured || randomBytes(24).toString('base64url'),
    tokenGenerated: !configured,
    host,
    bodyLimit: API_BODY_LIMIT,
  };
}
