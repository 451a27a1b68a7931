package dev.optline.streamspeer;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The output records the matcher writes for a reply, built on the schemas registered for the
 * matcher's own topics (so both write the same bytes but for the wall-clock recorded_at).
 */
final class Outputs {
  final WireFormat.Writer blacklist;
  final WireFormat.Writer history;
  final WireFormat.Writer facts;
  private final Schema optOut;
  private final Schema optIn;
  private final Schema incoming;

  Outputs(Registry registry, String blacklistSubject, String historySubject, String factsSubject) {
    blacklist = registry.latest(blacklistSubject);
    history = registry.latest(historySubject);
    facts = registry.latest(factsSubject);
    List<Schema> branches = facts.schema().getField("fact").schema().getTypes();
    optOut = branch(branches, "dev.optline.OptOutFact");
    optIn = branch(branches, "dev.optline.OptInFact");
    incoming = branch(branches, "dev.optline.IncomingMessageFact");
  }

  private static Schema branch(List<Schema> branches, String name) {
    return branches.stream().filter(s -> s.getFullName().equals(name)).findFirst().orElseThrow(() -> new IllegalStateException("MatcherFact has no branch " + name));
  }

  private static GenericData.EnumSymbol symbol(Schema schema, String field, String value) {
    Schema s = schema.getField(field).schema();
    if (s.getType() == Schema.Type.UNION) s = s.getTypes().stream().filter(t -> t.getType() == Schema.Type.ENUM).findFirst().orElseThrow();
    return new GenericData.EnumSymbol(s, value);
  }

  GenericRecord blacklistEntry(String project, String phone, PhoneState.Blacklist b) {
    Schema s = blacklist.schema();
    GenericRecord r = new GenericData.Record(s);
    r.put("project", project);
    r.put("phone", phone);
    r.put("status", symbol(s, "status", b.status()));
    r.put("keyword", b.keyword());
    r.put("message_id", b.messageId());
    r.put("blocked_at", b.blockedAt());
    r.put("updated_at", b.updatedAt());
    r.put("source", symbol(s, "source", b.source()));
    r.put("actor", b.actor());
    r.put("reason", b.reason());
    return r;
  }

  /** A BlacklistChange of a keyword reply: `opted_out` (entry BLOCKED) or `opted_in` (entry gone). */
  GenericRecord change(Inbound m, String kind, PhoneState.Blacklist after, String keyword, int settingsVersion) {
    Schema s = history.schema();
    GenericRecord r = new GenericData.Record(s);
    boolean block = kind.equals("opted_out");
    r.put("project", m.project());
    r.put("phone", m.from());
    r.put("at", m.receivedAt());
    r.put("kind", symbol(s, "kind", kind));
    r.put("status", after == null ? null : symbol(s, "status", after.status()));
    r.put("source", block ? symbol(s, "source", "keyword") : null);
    r.put("message_id", m.messageId());
    r.put("body", m.body());
    r.put("keyword", keyword);
    r.put("settings_version", (long) settingsVersion);
    r.put("blocked_at", block ? m.receivedAt() : null);
    r.put("actor", null);
    r.put("reason", null);
    return r;
  }

  GenericRecord keywordFact(Inbound m, boolean optOutFact, String keyword, List<String> customerIds, List<String> categories, long recordedAt) {
    GenericRecord f = new GenericData.Record(optOutFact ? optOut : optIn);
    common(f, m);
    f.put("keyword", keyword);
    f.put("customer_ids", customerIds);
    f.put("categories", categories);
    return fact(f, recordedAt);
  }

  GenericRecord incomingFact(Inbound m, String customerId, long recordedAt) {
    GenericRecord f = new GenericData.Record(incoming);
    common(f, m);
    f.put("customer_id", customerId);
    return fact(f, recordedAt);
  }

  private static void common(GenericRecord f, Inbound m) {
    f.put("project", m.project());
    f.put("phone", m.from());
    f.put("message_id", m.messageId());
    f.put("received_at", m.receivedAt());
    f.put("body", m.body());
    f.put("sender", m.from());
    f.put("recipient", m.to());
  }

  private GenericRecord fact(GenericRecord branch, long recordedAt) {
    GenericRecord r = new GenericData.Record(facts.schema());
    r.put("fact", branch);
    r.put("recorded_at", recordedAt);
    return r;
  }

  /** An inbound reply routed to its project. */
  record Inbound(String messageId, String project, String from, String to, String body, long receivedAt) {}
}
