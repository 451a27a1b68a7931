import { topics } from '@optline/kafka';

export const INBOUND_ROUTE = { method: 'POST', url: '/v1/sinch/inbound' } as const;

/**
 * What ingress reads and writes. In: Sinch MO callbacks over HTTP. Out: `inbound` (InboundSms,
 * keyed by the canonical sender phone, acks=all, idempotent producer) and `deadLetter` (refused
 * callbacks from verified callers: raw body, reason in headers). It reads no topic.
 */
export function ingressTopology(namespace: string) {
  const named = topics(namespace);
  return {
    http: [`${INBOUND_ROUTE.method} ${INBOUND_ROUTE.url}`],
    reads: [],
    writes: { inbound: named.inbound, deadLetter: named.deadLetter },
  } as const;
}

export type IngressTopics = ReturnType<typeof ingressTopology>['writes'];
