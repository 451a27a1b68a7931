package dev.optline.streamspeer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/** The state of one (project, phone), as the matcher's PhoneState (libs/core facts.ts). */
final class PhoneState {
  record Profile(String customerId, Long lastSentAt, Long updatedAt) {}

  record Blacklist(String status, String keyword, String messageId, long blockedAt, long updatedAt, String source, String actor, String reason) {}

  final List<Profile> profiles = new ArrayList<>();
  Blacklist blacklist;
  /** message id -> received_at, in insertion order. */
  final LinkedHashMap<String, Long> processed = new LinkedHashMap<>();

  boolean isEmpty() {
    return profiles.isEmpty() && blacklist == null && processed.isEmpty();
  }

  /** Most recently active first: last send, then last update (missing last), then customer id. */
  static final Comparator<Profile> BY_RECENT_ACTIVITY = Comparator
      .comparing(Profile::lastSentAt, Comparator.nullsLast(Comparator.<Long>reverseOrder()))
      .thenComparing(Profile::updatedAt, Comparator.nullsLast(Comparator.<Long>reverseOrder()))
      .thenComparing(Profile::customerId);

  /** The profiles an opt-out or opt-in is for: at most 10, most recently active first. */
  List<String> profilesToUnsubscribe() {
    return profiles.stream().sorted(BY_RECENT_ACTIVITY).limit(10).map(Profile::customerId).toList();
  }

  /** The profile an incoming message is tracked to, or null. */
  String attributedProfile() {
    return profiles.stream().min(BY_RECENT_ACTIVITY).map(Profile::customerId).orElse(null);
  }

  /** Plain Avro binary of PhoneState.avsc (the store is the peer's own; no registry needed). */
  static final class Serde {
    private static final Schema SCHEMA = load("/avro/PhoneState.avsc");
    private static final Schema PROFILE = SCHEMA.getField("profiles").schema().getElementType();
    private static final Schema BLACKLIST = SCHEMA.getField("blacklist").schema().getTypes().get(1);
    private final GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(SCHEMA);
    private final GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(SCHEMA);
    private static final byte[] NO_HEADER = new byte[0];
    private final AvroBytes bytes = new AvroBytes();
    private BinaryDecoder decoder;

    static Schema load(String resource) {
      try (InputStream in = PhoneState.class.getResourceAsStream(resource)) {
        if (in == null) throw new IllegalStateException("missing resource " + resource);
        return new Schema.Parser().parse(in);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    PhoneState decode(byte[] bytes) {
      PhoneState s = new PhoneState();
      if (bytes == null) return s;
      try {
        decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
        GenericRecord r = reader.read(null, decoder);
        for (Object o : (List<?>) r.get("profiles")) {
          GenericRecord p = (GenericRecord) o;
          s.profiles.add(new Profile(p.get("customer_id").toString(), (Long) p.get("last_sent_at"), (Long) p.get("updated_at")));
        }
        GenericRecord b = (GenericRecord) r.get("blacklist");
        if (b != null) {
          s.blacklist = new Blacklist(b.get("status").toString(), b.get("keyword").toString(), b.get("message_id").toString(), (Long) b.get("blocked_at"),
              (Long) b.get("updated_at"), b.get("source").toString(), str(b.get("actor")), str(b.get("reason")));
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) r.get("processed")).entrySet()) s.processed.put(e.getKey().toString(), (Long) e.getValue());
        return s;
      } catch (IOException e) {
        throw new IllegalStateException("undecodable phone state: " + e.getMessage(), e);
      }
    }

    byte[] encode(PhoneState s) {
      GenericRecord r = new GenericData.Record(SCHEMA);
      List<GenericRecord> profiles = new ArrayList<>(s.profiles.size());
      for (Profile p : s.profiles) {
        GenericRecord pr = new GenericData.Record(PROFILE);
        pr.put("customer_id", p.customerId());
        pr.put("last_sent_at", p.lastSentAt());
        pr.put("updated_at", p.updatedAt());
        profiles.add(pr);
      }
      r.put("profiles", profiles);
      if (s.blacklist != null) {
        Blacklist b = s.blacklist;
        GenericRecord br = new GenericData.Record(BLACKLIST);
        br.put("status", new GenericData.EnumSymbol(BLACKLIST.getField("status").schema(), b.status()));
        br.put("keyword", b.keyword());
        br.put("message_id", b.messageId());
        br.put("blocked_at", b.blockedAt());
        br.put("updated_at", b.updatedAt());
        br.put("source", new GenericData.EnumSymbol(BLACKLIST.getField("source").schema(), b.source()));
        br.put("actor", b.actor());
        br.put("reason", b.reason());
        r.put("blacklist", br);
      } else {
        r.put("blacklist", null);
      }
      r.put("processed", s.processed);
      return bytes.write(writer, r, NO_HEADER);
    }

    private static String str(Object o) {
      return o == null ? null : o.toString();
    }
  }
}
