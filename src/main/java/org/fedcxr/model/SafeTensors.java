package org.fedcxr.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors file format (8-byte little-endian header length, a JSON header of names, dtypes, shapes and
 * offsets with a {@code __metadata__} map of strings, then the raw little-endian data), for F32 and I64 tensors.
 * DJL's own encoder writes no custom metadata, which fedcxr's provenance needs.
 */
public final class SafeTensors {
  /** One tensor: its dtype ({@code F32} or {@code I64}), shape, and raw little-endian bytes. */
  public record Tensor(String dtype, long[] shape, byte[] data) {
    public static Tensor f32(long[] shape, float[] values) {
      return new Tensor("F32", shape, LittleEndian.bytes(values));
    }

    public static Tensor i64(long[] shape, long[] values) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().put(values);
      return new Tensor("I64", shape, b.array());
    }

    public float[] floats() {
      if (!dtype.equals("F32")) {
        throw new IllegalStateException("tensor is " + dtype + ", not F32");
      }
      return LittleEndian.floats(data);
    }
  }

  /** A file's tensors, in file order, and its metadata. */
  public record Content(Map<String, Tensor> tensors, Map<String, String> metadata) {
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L << 20;

  private SafeTensors() {
  }

  /**
   * Writes {@code tensors} in their map's order and {@code metadata} sorted by key, so that equal contents give
   * equal bytes whatever order the metadata map iterates in.
   */
  public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    ObjectNode meta = header.putObject("__metadata__");
    new TreeMap<>(metadata).forEach(meta::put);
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", e.getValue().dtype());
      var shape = t.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      t.putArray("data_offsets").add(offset).add(offset + e.getValue().data().length);
      offset += e.getValue().data().length;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    ByteArrayOutputStream head = new ByteArrayOutputStream(8 + padded);
    head.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
    head.write(json);
    for (int i = json.length; i < padded; i++) {
      head.write(' ');
    }
    out.write(head.toByteArray());
    for (Tensor t : tensors.values()) {
      out.write(t.data());
    }
  }

  /** Reads a whole safetensors stream; a malformed file is an IOException that says what is wrong. */
  public static Content read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] len = new byte[8];
    data.readFully(len);
    long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n <= 0 || n > MAX_HEADER) {
      throw new IOException("not a safetensors file: header length " + n);
    }
    byte[] json = new byte[(int) n];
    data.readFully(json);
    JsonNode header = JSON.readTree(new String(json, StandardCharsets.UTF_8));
    Map<String, String> metadata = new LinkedHashMap<>();
    Map<String, long[]> offsets = new LinkedHashMap<>();
    Map<String, JsonNode> specs = new LinkedHashMap<>();
    long total = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      JsonNode o = e.getValue().get("data_offsets");
      if (o == null || o.size() != 2) {
        throw new IOException("tensor " + e.getKey() + " has no data_offsets");
      }
      offsets.put(e.getKey(), new long[] {o.get(0).asLong(), o.get(1).asLong()});
      specs.put(e.getKey(), e.getValue());
      total = Math.max(total, o.get(1).asLong());
    }
    byte[] body = new byte[Math.toIntExact(total)];
    data.readFully(body);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : specs.entrySet()) {
      long[] o = offsets.get(e.getKey());
      JsonNode shapeNode = e.getValue().get("shape");
      long[] shape = new long[shapeNode.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeNode.get(i).asLong();
      }
      byte[] bytes = Arrays.copyOfRange(body, (int) o[0], (int) o[1]);
      tensors.put(e.getKey(), new Tensor(e.getValue().get("dtype").asText(), shape, bytes));
    }
    return new Content(tensors, metadata);
  }
}
