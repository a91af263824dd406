package org.fedcxr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightsTest {
  private static Classifier model(NDManager m, Architecture a) {
    Classifier c = Classifier.of(a, 14);
    c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
    return c;
  }

  private static byte[] save(Classifier c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Weights.save(c, c.architecture().name(), Map.of("run", "test"), out);
    return out.toByteArray();
  }

  @Test
  void roundTripRestoresEveryParameterAndTheMetadata() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Classifier a = model(m, Architecture.RESNET18);
      Classifier b = model(m, Architecture.RESNET18);
      float[] before = StateDict.flatten(a);
      assertTrue(before.length > 11_000_000);
      Map<String, String> meta = Weights.load(b, new ByteArrayInputStream(save(a)));
      assertArrayEquals(before, StateDict.flatten(b));
      assertEquals("resnet18", meta.get(Weights.ARCHITECTURE));
      assertEquals("test", meta.get("run"));
    }
  }

  @Test
  void equalContentsGiveEqualBytesWhateverTheMetadataMapsOrder() throws IOException {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("b", SafeTensors.Tensor.f32(new long[] {2}, new float[] {1f, 2f}));
    tensors.put("a", SafeTensors.Tensor.f32(new long[] {1}, new float[] {3f}));
    Map<String, String> forward = new LinkedHashMap<>();
    Map<String, String> backward = new LinkedHashMap<>();
    for (String k : new String[] {"rounds", "init", "labels", "strategy"}) {
      forward.put(k, k + "-value");
    }
    for (String k : new String[] {"strategy", "labels", "init", "rounds"}) {
      backward.put(k, k + "-value");
    }
    ByteArrayOutputStream x = new ByteArrayOutputStream();
    ByteArrayOutputStream y = new ByteArrayOutputStream();
    SafeTensors.write(x, tensors, forward);
    SafeTensors.write(y, tensors, backward);
    assertArrayEquals(x.toByteArray(), y.toByteArray());
    SafeTensors.Content read = SafeTensors.read(new ByteArrayInputStream(x.toByteArray()));
    assertEquals(forward, read.metadata());
    assertEquals(List.of("b", "a"), List.copyOf(read.tensors().keySet()), "tensors keep their order");
  }

  @Test
  void fileLayoutIsSafetensorsWithTorchNamesAndNumBatchesTracked() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      byte[] bytes = save(model(m, Architecture.SMALL));
      long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, headerLength % 8);
      String header = new String(bytes, 8, (int) headerLength);
      assertTrue(header.contains("\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[16,1,3,3],\"data_offsets\":[0,576]}"),
          header);
      assertTrue(header.contains("\"bn1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]"), header);
      assertTrue(header.startsWith("{\"__metadata__\":{"), header);
    }
  }

  @Test
  void missingExtraAndMisshapenTensorsAreErrorsNamingTheTensor() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Classifier c = model(m, Architecture.SMALL);
      SafeTensors.Content good = SafeTensors.read(new ByteArrayInputStream(save(c)));

      Map<String, SafeTensors.Tensor> missing = new LinkedHashMap<>(good.tensors());
      missing.remove("bn2.running_var");
      assertEquals("tensor 'bn2.running_var' is missing from the file", error(c, missing).getMessage());

      Map<String, SafeTensors.Tensor> extra = new LinkedHashMap<>(good.tensors());
      extra.put("conv9.weight", SafeTensors.Tensor.f32(new long[] {1}, new float[] {1}));
      assertTrue(error(c, extra).getMessage().contains("'conv9.weight'"));

      Map<String, SafeTensors.Tensor> shaped = new LinkedHashMap<>(good.tensors());
      shaped.put("fc.weight", SafeTensors.Tensor.f32(new long[] {13, 128}, new float[13 * 128]));
      assertTrue(error(c, shaped).getMessage().contains("'fc.weight' has shape [13, 128]"));

      assertThrows(IOException.class, () -> Weights.load(c, new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5,
          6, 7, 8, 9})));
    }
  }

  private static IllegalArgumentException error(Classifier c, Map<String, SafeTensors.Tensor> tensors)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensors.write(out, tensors, Map.of());
    return assertThrows(IllegalArgumentException.class,
        () -> Weights.load(c, new ByteArrayInputStream(out.toByteArray())));
  }

  @Test
  void flatViewRoundTrips() {
    try (NDManager m = NDManager.newBaseManager()) {
      Classifier a = model(m, Architecture.SMALL);
      Classifier b = model(m, Architecture.SMALL);
      float[] flat = StateDict.flatten(a);
      StateDict.load(b, flat);
      assertArrayEquals(flat, StateDict.flatten(b));
      assertThrows(IllegalArgumentException.class, () -> StateDict.load(b, new float[3]));
    }
  }
}
