// What the replier reads and writes, in one place.
//
//   replies (ReplyIntent, read_committed, group `<ns>.optline.replier`; written by the matcher in
//            the transaction of the message that caused it)
//     -> attempts (ReplyAttempt STARTED, keyed event_id; idempotent producer, acknowledged
//                  before Sinch is called)
//     -> Sinch POST /xms/v1/{plan}/batches (client_reference = event_id), many in flight
//     -> one transaction per replies partition (transactional id per partition):
//          attempts  (ReplyAttempt SENT or FAILED)
//          campaign  (CampaignEvent auto_reply_sent / auto_reply_failed, keyed customer_id else phone)
//          deadLetter (reply records that cannot be read, with the reason)
//          + the partition's offset below which every reply has its outcome
//   attempts is also read whole (compacted) to know, after a crash, which replies were sent,
//   given up, or started with an unknown outcome (looked up by client_reference before a re-send).

import type { OptlineConfig } from '@optline/runtime';
import { groupId, topics } from '@optline/kafka';

export function replierTopology(config: Pick<OptlineConfig, 'topicNamespace'>) {
  const t = topics(config.topicNamespace);
  const group = groupId(config.topicNamespace, 'optline.replier');
  return {
    topics: t,
    groupId: group,
    reads: { replies: t.replies.name, attempts: t.replyAttempts.name },
    writes: { attempts: t.replyAttempts.name, campaign: t.campaign.name, deadLetter: t.deadLetter.name },
    /** Whoever owns a replies partition next fences the previous owner's open outcome transaction. */
    transactionalId: (partition: number) => `${group}.replies-${partition}`,
  };
}

export type ReplierTopology = ReturnType<typeof replierTopology>;
