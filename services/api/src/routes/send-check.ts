import type { FastifyPluginAsync } from 'fastify';
import type { Producer } from 'kafkajs';
import type { BlacklistClient } from '@optline/blacklist-client';
import { enqueueFailedEvent, trackingKey, tryCanonicalDedicatedNumber } from '@optline/core';
import { HttpError } from '@optline/http';
import type { AvroSerde } from '@optline/kafka';
import type { SettingsTable } from '@optline/settings-table';
import type { ApiMetrics } from '../metrics.ts';
import { API_ROUTES } from '../topology.ts';
import { canonicalOr400, phoneOf, projectParam, requireProject } from './common.ts';

export interface SendCheckRouteOptions {
  blacklist: BlacklistClient;
  settings: SettingsTable;
  producer: Producer;
  serde: AvroSerde;
  /** The campaign topic enqueue_failed events go to. */
  campaignTopic: string;
  metrics: ApiMetrics;
  now?: () => number;
}

const body = {
  type: 'object',
  properties: {
    phone: { type: 'string', minLength: 1, maxLength: 64, description: 'the phone the SMS would go to, any accepted form' },
    customer_id: { type: ['string', 'null'], minLength: 1, maxLength: 256, description: 'the profile the SMS is for; carried by the enqueue_failed event' },
    sender: { type: 'string', minLength: 1, maxLength: 64, description: 'the dedicated number the SMS would be sent from; the event\'s recipient' },
  },
  required: ['phone'],
  additionalProperties: false,
} as const;

const answer = {
  type: 'object',
  properties: {
    allowed: { type: 'boolean' },
    reason: { type: 'string', enum: ['blacklisted'] },
    event_id: { type: 'string', description: 'the enqueue_failed event tracked for this refusal' },
  },
  required: ['allowed'],
} as const;

interface SendCheckBody {
  phone: string;
  customer_id?: string | null;
  sender?: string;
}

function dedicatedNumberOf(input: string): string {
  return canonicalOr400(tryCanonicalDedicatedNumber(input), 'invalid_sender', 'sender');
}

/**
 * POST /v1/projects/{project}/send-check. A blacklisted phone is refused, and the refusal is
 * tracked as an `enqueue_failed` campaign event acknowledged by every in-sync replica before
 * the answer: a refusal the event stream does not show is never given. A phone that is not
 * blacklisted needs no write and is answered from memory.
 */
export const sendCheckRoutes: FastifyPluginAsync<SendCheckRouteOptions> = async (scope, options) => {
  const { blacklist, settings, producer, serde, campaignTopic, metrics } = options;
  const now = options.now ?? Date.now;

  scope.post(API_ROUTES.sendCheck, {
    schema: { params: projectParam, body, response: { 200: answer } },
    handler: async (request) => {
      const { project } = request.params as { project: string };
      const input = request.body as SendCheckBody;
      const phone = phoneOf(input.phone, 'phone');
      const recipient = input.sender === undefined ? null : dedicatedNumberOf(input.sender);
      requireProject(settings, project);
      if (!blacklist.isBlacklisted(project, phone)) {
        metrics.sendChecks.inc({ outcome: 'allowed' });
        return { allowed: true };
      }
      const event = enqueueFailedEvent({ project, phone, customer_id: input.customer_id ?? null, at: now(), recipient });
      try {
        const value = await serde.encode(campaignTopic, event);
        await producer.send({ topic: campaignTopic, acks: -1, messages: [{ key: trackingKey(event), value }] });
      } catch (error) {
        request.log.warn({ err: error, project }, 'enqueue_failed event not tracked');
        throw new HttpError(503, 'unavailable', `phone ${phone} is blacklisted, but the enqueue_failed event could not be tracked (${(error as Error).message}); do not send, retry the check later`);
      }
      metrics.sendChecks.inc({ outcome: 'refused' });
      return { allowed: false, reason: 'blacklisted', event_id: event.event_id };
    },
  });
};
