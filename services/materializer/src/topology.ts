// What the materializer reads and writes, in one place.
//
//   facts (MatcherFact, read_committed, group `<ns>.optline.materializer`)
//     -> per input partition, pending windows in memory (re-read after a crash: offsets are
//        committed only by flushes)
//     -> on window close, one transaction per input partition (transactional id per partition),
//        written through the task group's sinks (`outputs`):
//          consent   (ConsentEvent reject/accept, keyed customer_id else phone)
//          campaign  (CampaignEvent incoming_message, keyed customer_id else phone)
//          consentTracked (ConsentTracked per opt-out, keyed by canonical phone) -> the matcher,
//            the only writer of sms.blacklist.v1, moves the entry to CONSENT_TRACKED
//          deadLetter (fact records that cannot be read, with the reason)
//          + the partition's offset and watermark, committed to the group

import type { CampaignEvent, ConsentEvent } from '@optline/core';
import type { OptlineConfig } from '@optline/runtime';
import type { ConsentTracked } from '@optline/schemas';
import { avroOutput, groupId, topics } from '@optline/kafka';

export function materializerTopology(config: Pick<OptlineConfig, 'topicNamespace'>) {
  const t = topics(config.topicNamespace);
  const group = groupId(config.topicNamespace, 'optline.materializer');
  return {
    topics: t,
    groupId: group,
    reads: { facts: t.facts.name },
    /** Fact records that cannot be read, as they are, with the reason in headers. */
    deadLetter: t.deadLetter.name,
    /** One task group: partition N of the facts topic. */
    group: {
      name: 'facts',
      inputs: [t.facts.name],
      outputs: {
        consent: avroOutput<ConsentEvent>(t.consent),
        campaign: avroOutput<CampaignEvent>(t.campaign),
        /** Keyed by the phone, as sms.inbound.v1: the notice reaches the matcher task that owns the phone. */
        consentTracked: avroOutput<ConsentTracked>(t.consentTracked),
      },
    },
    /**
     * One transactional id per task (`facts-<partition>`): whoever owns the partition next fences
     * the previous owner's open flush (kafkajs has no KIP-447 group-metadata fencing).
     */
    transactionalId: (taskId: string) => `${group}.${taskId}`,
  };
}

export type MaterializerTopology = ReturnType<typeof materializerTopology>;
