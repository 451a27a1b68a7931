package dev.optline.streamspeer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * The schema registry's Confluent-compatible REST API (Apicurio ccompat v7 here): schemas by id
 * for decoding, and the latest id of a subject for encoding. Both are cached for the process,
 * as a registered schema id never changes its schema.
 */
final class Registry {
  private final String url;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final ConcurrentHashMap<Integer, Schema> byId = new ConcurrentHashMap<>();

  Registry(String url) {
    this.url = url.replaceAll("/+$", "");
  }

  /** The writer schema of `id`. */
  Schema schema(int id) {
    return byId.computeIfAbsent(id, i -> new Schema.Parser().parse(get("/schemas/ids/" + i).get("schema").asText()));
  }

  /** The id and schema of the latest version of `subject` (TopicNameStrategy: `<topic>-value`). */
  WireFormat.Writer latest(String subject) {
    JsonNode node = get("/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions/latest");
    int id = node.get("id").asInt();
    Schema schema = new Schema.Parser().parse(node.get("schema").asText());
    byId.putIfAbsent(id, schema);
    return new WireFormat.Writer(id, schema);
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() != 200) throw new IllegalStateException("schema registry GET " + path + ": HTTP " + res.statusCode() + " " + res.body());
      return json.readTree(res.body());
    } catch (IOException e) {
      throw new IllegalStateException("schema registry GET " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
