// `optline start` without Sinch credentials: the replier sends to a local Sinch sandbox (the
// same test server the tests use) that prints each SMS instead of sending it, so that the demo
// shows the confirmations. Said plainly at start, and on every SMS.

import { randomBytes } from 'node:crypto';
import type { Logger } from '@optline/runtime';
import { SinchSandbox, sinchFromEnv } from '@optline/sinch';

export interface SinchForStart {
  sandbox: SinchSandbox | null;
  /** Lines for the start banner. */
  lines: string[];
  /** KEY=value lines for .optline/credentials.env (the demo looks confirmations up with them). */
  credentials: string[];
}

export async function sinchForStart(logger: Logger): Promise<SinchForStart> {
  const configured = sinchFromEnv();
  if (configured) {
    return { sandbox: null, lines: [`  sinch            ${configured.apiUrl} (service plan ${configured.servicePlanId}): replies are SENT`], credentials: [] };
  }
  const apiToken = randomBytes(12).toString('base64url');
  const sandbox = new SinchSandbox({
    servicePlanId: 'sandbox', apiToken,
    port: Number(process.env.OPTLINE_SINCH_SANDBOX_PORT ?? 0),
    onBatch: (b) => process.stdout.write(`[sinch sandbox] NOT SENT (no Sinch credentials): SMS from ${b.from} to ${b.to.join(', ')}: ${JSON.stringify(b.body)}\n`),
  });
  const url = await sandbox.start();
  process.env.OPTLINE_SINCH_API_URL = url;
  process.env.OPTLINE_SINCH_SERVICE_PLAN_ID = 'sandbox';
  process.env.OPTLINE_SINCH_API_TOKEN = apiToken;
  // info, not warn: a sandbox is what `start` without credentials is for (the demo); the banner says
  // it in capitals, and a normal start prints no warning lines (issue #14).
  logger.info({ url }, 'OPTLINE_SINCH_SERVICE_PLAN_ID and OPTLINE_SINCH_API_TOKEN are not set: automatic replies go to a local Sinch sandbox that prints them; NO SMS is sent');
  return {
    sandbox,
    lines: [`  sinch sandbox    ${url}  NO SMS IS SENT: set OPTLINE_SINCH_SERVICE_PLAN_ID and OPTLINE_SINCH_API_TOKEN to send replies`],
    credentials: [`OPTLINE_SINCH_API_URL=${url}`, 'OPTLINE_SINCH_SERVICE_PLAN_ID=sandbox', `OPTLINE_SINCH_API_TOKEN=${apiToken}`],
  };
}
