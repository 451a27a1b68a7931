package dev.optline.streamspeer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** Avro binary of a record after an optional header, with the buffer and encoder reused (one per task). */
final class AvroBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
  private BinaryEncoder encoder;

  byte[] write(GenericDatumWriter<GenericRecord> writer, GenericRecord value, byte[] header) {
    out.reset();
    out.writeBytes(header);
    encoder = EncoderFactory.get().binaryEncoder(out, encoder);
    try {
      writer.write(value, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }
}
