import type { ServiceStarter } from '@optline/runtime';
import { startIngress } from './service.ts';

export const start: ServiceStarter = (options) => startIngress(options);

export { startIngress, type IngressOptions, type RunningIngress } from './service.ts';
export { loadIngressSettings, INGRESS_BODY_LIMIT, type IngressSettings } from './settings.ts';
export { signSinchCallback, sinchSignatureProblem, SINCH_SIGNATURE_HEADERS, type SinchAlgorithm } from './signature.ts';
export { toInboundSms, SINCH_INBOUND_SCHEMA, type InboundSms, type SinchInboundCallback } from './sinch.ts';
export { ingressTopology, INBOUND_ROUTE } from './topology.ts';
