package dev.optline.streamspeer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Avro values in the Confluent wire format: magic byte 0, the schema id (4 bytes, big endian),
 * the Avro binary. One instance per stream task (readers and encoders are reused, not shared).
 */
final class WireFormat {
  /** An output schema with its registered id. */
  record Writer(int id, Schema schema) {}

  /** Thrown for bytes that are not a value in the wire format. */
  static final class Undecodable extends RuntimeException {
    Undecodable(String message) {
      super(message);
    }
  }

  private final Registry registry;
  private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
  private final Map<Integer, GenericDatumWriter<GenericRecord>> writers = new HashMap<>();
  private BinaryDecoder decoder;
  private final Map<Integer, byte[]> headers = new HashMap<>();
  private final AvroBytes bytes = new AvroBytes();

  WireFormat(Registry registry) {
    this.registry = registry;
  }

  GenericRecord decode(byte[] bytes) {
    if (bytes == null || bytes.length < 5 || bytes[0] != 0) throw new Undecodable("not the Confluent wire format (magic byte 0 + schema id + Avro)");
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    GenericDatumReader<GenericRecord> reader = readers.computeIfAbsent(id, i -> new GenericDatumReader<>(registry.schema(i)));
    decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, decoder);
    try {
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new Undecodable("Avro decode with schema " + id + " failed: " + e.getMessage());
    }
  }

  byte[] encode(Writer writer, GenericRecord value) {
    GenericDatumWriter<GenericRecord> datumWriter = writers.computeIfAbsent(writer.id(), i -> new GenericDatumWriter<>(writer.schema()));
    byte[] header = headers.computeIfAbsent(writer.id(), id -> new byte[] {0, (byte) (id >>> 24), (byte) (id >>> 16), (byte) (id >>> 8), (byte) (int) id});
    return bytes.write(datumWriter, value, header);
  }

}
