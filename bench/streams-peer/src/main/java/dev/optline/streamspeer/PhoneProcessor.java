package dev.optline.streamspeer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The matcher's inbound handler (services/matcher/src/phones.ts with libs/core decide/evolve)
 * for what `bench matcher`'s backlog exercises: keyword opt-out -> blacklist entry BLOCKED, the
 * change in the history and an opted_out fact; opt-in -> tombstone when blacklisted, the change
 * and an opted_in fact; trackIncoming -> incoming_message; message ids remembered 25 h.
 * Not ported (the backlog has none, the bench checks that the matcher wrote none either):
 * automatic replies, the possible-opt-out detector, phone canonicalisation (the backlog's
 * phones are canonical; a record keyed otherwise goes to the dead letters).
 */
final class PhoneProcessor implements Processor<String, byte[], String, byte[]> {
  static final long PROCESSED_RETENTION_MS = 25L * 60 * 60 * 1000;
  private static final Object GLOBAL_ITERATION = new Object();

  private final Registry registry;
  private final Outputs outputs;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> phones;
  private KeyValueStore<String, byte[]> settingsStore;
  private WireFormat wire;
  private final PhoneState.Serde stateSerde = new PhoneState.Serde();
  /** Compiled settings per project, with the stored bytes they were compiled from. */
  private final Map<String, Map.Entry<byte[], Settings>> compiled = new HashMap<>();
  private final Map<String, String> ownerOfNumber = new HashMap<>();

  PhoneProcessor(Registry registry, Outputs outputs) {
    this.registry = registry;
    this.outputs = outputs;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.phones = context.getStateStore(Main.PHONE_STORE);
    this.settingsStore = context.getStateStore(Main.SETTINGS_STORE);
    this.wire = new WireFormat(registry);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    GenericRecord sms;
    try {
      sms = wire.decode(record.value());
    } catch (WireFormat.Undecodable e) {
      dead(record, "undecodable", "value", e.getMessage());
      return;
    }
    String from = sms.get("from").toString();
    if (!from.equals(record.key())) {
      dead(record, "key_not_sender_phone", "key", "record key must be the canonical sender phone " + from);
      return;
    }
    String to = sms.get("to").toString();
    Settings settings = settingsFor(to);
    if (settings == null) {
      dead(record, "unknown_dedicated_number", "to", "to: no project owns the dedicated number " + to);
      return;
    }
    Outputs.Inbound m = new Outputs.Inbound(sms.get("id").toString(), settings.project, from, to, sms.get("body").toString(), (Long) sms.get("received_at"));
    String key = settings.project + ":" + from;
    PhoneState state = stateSerde.decode(phones.get(key));
    if (state.processed.containsKey(m.messageId())) return;

    long now = context.currentSystemTimeMs();
    Keywords.Hit hit = settings.keywords.match(m.body());
    boolean anyFact = false;
    if (hit != null && hit.kind() == Keywords.Kind.OPT_OUT) {
      state.blacklist = new PhoneState.Blacklist("BLOCKED", hit.keyword(), m.messageId(), m.receivedAt(), m.receivedAt(), "keyword", null, null);
      send(record, Main.BLACKLIST_SINK, key, wire.encode(outputs.blacklist, outputs.blacklistEntry(m.project(), from, state.blacklist)));
      send(record, Main.HISTORY_SINK, key, wire.encode(outputs.history, outputs.change(m, "opted_out", state.blacklist, hit.keyword(), settings.version)));
      send(record, Main.FACTS_SINK, key, wire.encode(outputs.facts, outputs.keywordFact(m, true, hit.keyword(), state.profilesToUnsubscribe(), settings.consentCategories, now)));
      anyFact = true;
    } else if (hit != null && hit.kind() == Keywords.Kind.OPT_IN) {
      if (state.blacklist != null) {
        state.blacklist = null;
        send(record, Main.BLACKLIST_SINK, key, null);
        send(record, Main.HISTORY_SINK, key, wire.encode(outputs.history, outputs.change(m, "opted_in", null, hit.keyword(), settings.version)));
      }
      send(record, Main.FACTS_SINK, key, wire.encode(outputs.facts, outputs.keywordFact(m, false, hit.keyword(), state.profilesToUnsubscribe(), settings.consentCategories, now)));
      anyFact = true;
    }
    if (settings.trackIncoming) {
      send(record, Main.FACTS_SINK, key, wire.encode(outputs.facts, outputs.incomingFact(m, state.attributedProfile(), now)));
      anyFact = true;
    }
    if (!anyFact) return;
    state.processed.put(m.messageId(), m.receivedAt());
    long cutoff = now - PROCESSED_RETENTION_MS;
    state.processed.values().removeIf(at -> at < cutoff);
    if (state.isEmpty()) phones.delete(key);
    else phones.put(key, stateSerde.encode(state));
  }

  private void send(Record<String, byte[]> input, String sink, String key, byte[] value) {
    context.forward(new Record<>(key, value, input.timestamp(), new RecordHeaders()), sink);
  }

  /** The dead letter keeps the original key and bytes; the reason rides in headers, as the matcher's. */
  private void dead(Record<String, byte[]> input, String rule, String field, String message) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("optline.dlq.source", (context.recordMetadata().map(r -> r.topic() + "/" + r.partition() + "@" + r.offset()).orElse("")).getBytes(StandardCharsets.UTF_8));
    headers.add("optline.dlq.rule", rule.getBytes(StandardCharsets.UTF_8));
    headers.add("optline.dlq.field", field.getBytes(StandardCharsets.UTF_8));
    headers.add("optline.dlq.message", message.getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<>(input.key(), input.value(), input.timestamp(), headers), Main.DEAD_LETTER_SINK);
  }

  /**
   * The settings of the project owning `to`, read from the global store on every reply (a
   * changed settings record applies to the next reply); compiled once per stored value.
   */
  private Settings settingsFor(String to) {
    String project = ownerOfNumber.get(to);
    Settings s = project == null ? null : current(project);
    if (s != null && s.dedicatedNumbers.contains(to)) return s;
    ownerOfNumber.clear();
    // One iterator of the global store at a time: Streams 4.1's open-iterator metric of a store
    // shared by all stream threads is not safe to open and close concurrently (an NPE in
    // OpenIterators.remove with 2 threads).
    synchronized (GLOBAL_ITERATION) {
      try (KeyValueIterator<String, byte[]> all = settingsStore.all()) {
        while (all.hasNext()) {
          KeyValue<String, byte[]> kv = all.next();
          Settings candidate = current(kv.key);
          if (candidate != null) for (String n : candidate.dedicatedNumbers) ownerOfNumber.put(n, candidate.project);
        }
      }
    }
    project = ownerOfNumber.get(to);
    return project == null ? null : current(project);
  }

  private Settings current(String project) {
    byte[] bytes = settingsStore.get(project);
    if (bytes == null) return null;
    Map.Entry<byte[], Settings> c = compiled.get(project);
    if (c == null || !Arrays.equals(c.getKey(), bytes)) {
      c = Map.entry(bytes, new Settings(wire.decode(bytes)));
      compiled.put(project, c);
    }
    return c.getValue();
  }
}
