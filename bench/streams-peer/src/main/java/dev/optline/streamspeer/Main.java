package dev.optline.streamspeer;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The matcher's phone topology in Kafka Streams: inbound replies -> a persistent, logged,
 * cached RocksDB store of phone states -> blacklist, blacklist history and facts (dead letters
 * apart), with the SMS settings in a global store and exactly_once_v2. Configured by
 * environment (the bench sets it): STREAMS_PEER_* below.
 */
public final class Main {
  static final String PHONE_STORE = "phone-state";
  static final String SETTINGS_STORE = "settings";
  static final String BLACKLIST_SINK = "blacklist";
  static final String HISTORY_SINK = "blacklist-history";
  static final String FACTS_SINK = "facts";
  static final String DEAD_LETTER_SINK = "dead-letter";

  private static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) throw new IllegalArgumentException(name + " must be set");
    return v;
  }

  /** Keeps the global settings store as the topic says; the stream task reads it per reply. */
  private static final class SettingsUpdater implements Processor<String, byte[], Void, Void> {
    private KeyValueStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(SETTINGS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      if (record.value() == null) store.delete(record.key());
      else store.put(record.key(), record.value());
    }
  }

  static Topology topology(Map<String, String> topics, Registry registry, Outputs outputs) {
    Topology t = new Topology();
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SETTINGS_STORE), Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
        "settings-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.get("settings"), "settings-updater", SettingsUpdater::new);
    t.addSource("inbound", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.get("inbound"));
    t.addProcessor("phones", () -> new PhoneProcessor(registry, outputs), "inbound");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PHONE_STORE), Serdes.String(), Serdes.ByteArray()).withCachingEnabled().withLoggingEnabled(Map.of()), "phones");
    for (String sink : new String[] {BLACKLIST_SINK, HISTORY_SINK, FACTS_SINK, DEAD_LETTER_SINK}) {
      t.addSink(sink, topics.get(sink), Serdes.String().serializer(), Serdes.ByteArray().serializer(), "phones");
    }
    return t;
  }

  public static void main(String[] args) throws InterruptedException {
    Registry registry = new Registry(env("STREAMS_PEER_REGISTRY_URL"));
    Map<String, String> topics = Map.of(
        "inbound", env("STREAMS_PEER_INBOUND"), "settings", env("STREAMS_PEER_SETTINGS"),
        BLACKLIST_SINK, env("STREAMS_PEER_BLACKLIST"), HISTORY_SINK, env("STREAMS_PEER_HISTORY"),
        FACTS_SINK, env("STREAMS_PEER_FACTS"), DEAD_LETTER_SINK, env("STREAMS_PEER_DEAD_LETTER"));
    // Schema ids of the matcher's own topics: the peer writes the same schemas under their ids.
    Outputs outputs = new Outputs(registry, env("STREAMS_PEER_BLACKLIST_SUBJECT"), env("STREAMS_PEER_HISTORY_SUBJECT"), env("STREAMS_PEER_FACTS_SUBJECT"));

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, env("STREAMS_PEER_APPLICATION_ID"));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env("STREAMS_PEER_BROKERS"));
    p.put(StreamsConfig.STATE_DIR_CONFIG, env("STREAMS_PEER_STATE_DIR"));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(System.getenv().getOrDefault("STREAMS_PEER_THREADS", "1")));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.parseInt(System.getenv().getOrDefault("STREAMS_PEER_REPLICATION_FACTOR", "1")));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Everything else (commit.interval.ms 100 under EOS, a 10 MB record cache) is Streams' default.

    KafkaStreams streams = new KafkaStreams(topology(topics, registry, outputs), p);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("streams-peer: stream thread failed: " + e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      System.err.println("streams-peer: " + before + " -> " + now);
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) stopped.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(30));
      stopped.countDown();
    }));
    streams.start();
    stopped.await();
    // A client that ended in ERROR (a failed thread) must not look like a clean stop to the bench.
    if (streams.state() == KafkaStreams.State.ERROR) System.exit(1);
  }
}
