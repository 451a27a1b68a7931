import type { SinchClientOptions } from './client.ts';

export const DEFAULT_SINCH_API_URL = 'https://us.sms.api.sinch.com';

/**
 * Sinch's REST API settings from the environment (SPEC.md "Interfaces"): OPTLINE_SINCH_API_URL,
 * OPTLINE_SINCH_SERVICE_PLAN_ID, OPTLINE_SINCH_API_TOKEN, OPTLINE_SINCH_TIMEOUT_MS. Null
 * without a service plan and a token: then no reply is sent, and the caller says so.
 */
export function sinchFromEnv(env: NodeJS.ProcessEnv = process.env): SinchClientOptions | null {
  const servicePlanId = env.OPTLINE_SINCH_SERVICE_PLAN_ID?.trim();
  const apiToken = env.OPTLINE_SINCH_API_TOKEN?.trim();
  if (!servicePlanId || !apiToken) return null;
  const timeout = env.OPTLINE_SINCH_TIMEOUT_MS?.trim();
  const timeoutMs = timeout ? Number(timeout) : undefined;
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1)) {
    throw new Error(`OPTLINE_SINCH_TIMEOUT_MS: '${timeout}' must be a whole number of milliseconds`);
  }
  return {
    apiUrl: env.OPTLINE_SINCH_API_URL?.trim() || DEFAULT_SINCH_API_URL,
    servicePlanId,
    apiToken,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}
