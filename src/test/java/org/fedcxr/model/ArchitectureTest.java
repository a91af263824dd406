package org.fedcxr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArchitectureTest {
  static long trainable(Map<String, Parameter> params) {
    return params.entrySet().stream().filter(e -> !e.getKey().endsWith("running_mean")
        && !e.getKey().endsWith("running_var")).mapToLong(e -> e.getValue().getArray().size()).sum();
  }

  /**
   * Counts from torchvision's published totals (resnet18 11,689,512; resnet50 25,557,032; densenet121 7,978,856 for
   * 3 channels and 1000 classes), with conv1/conv0 taking 1 channel and a 14-way head.
   */
  @ParameterizedTest
  @CsvSource({"resnet18, 11177422, 62, 20", "resnet50, 23530446, 161, 53", "densenet121, 6961934, 364, 121"})
  void matchesTorchvisionParameterCountsAndNames(String name, long params, int weights, int batchNorms) {
    Architecture a = Architecture.named(name);
    try (NDManager m = NDManager.newBaseManager()) {
      Classifier c = Classifier.of(a, 14);
      c.initialize(m, DataType.FLOAT32, new Shape(2, 1, 64, 64));
      Map<String, Parameter> sd = StateDict.of(c);
      assertEquals(params, trainable(sd));
      assertEquals(batchNorms, StateDict.batchNormLayers(c).size());
      assertEquals(weights + 2 * batchNorms, sd.size(), "tensors besides num_batches_tracked");
      assertTrue(sd.containsKey(a.head() + ".weight"));
      NDArray logits = c.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(2, 1, 64, 64))), false)
          .singletonOrThrow();
      assertEquals(new Shape(2, 14), logits.getShape());
    }
  }

  @Test
  void resnet18HasTorchvisionNames() {
    try (NDManager m = NDManager.newBaseManager()) {
      Classifier c = Classifier.of(Architecture.RESNET18, 14);
      c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 64, 64));
      Map<String, Parameter> sd = StateDict.of(c);
      for (String n : List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
          "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var",
          "layer4.1.bn2.bias", "fc.weight", "fc.bias")) {
        assertTrue(sd.containsKey(n), n + " in " + sd.keySet());
      }
      assertEquals(new Shape(64, 1, 7, 7), sd.get("conv1.weight").getArray().getShape());
      assertEquals(new Shape(14, 512), sd.get("fc.weight").getArray().getShape());
      assertEquals(11_187_022, sd.values().stream().mapToLong(p -> p.getArray().size()).sum(),
          "STACK.md's figure: parameters plus BatchNorm running statistics");
    }
  }

  /**
   * torchvision's published forward cost at 224 px, 3 channels, 1000 classes: ResNet-18 1.814 GMACs, ResNet-50 4.09
   * GMACs (v1.5), DenseNet-121 2.83 GMACs. With 1 channel and 14 classes conv1/conv0 costs 2/3 less.
   */
  @ParameterizedTest
  @CsvSource({"resnet18, 1.814, 118013952, 512000", "resnet50, 4.089, 118013952, 2048000",
      "densenet121, 2.834, 118013952, 1024000"})
  void forwardFlopsMatchTorchvision(String name, double gmacs3ch, long conv1Macs3ch, long fcMacs1000) {
    Architecture a = Architecture.named(name);
    try (NDManager m = NDManager.newBaseManager()) {
      Classifier c = Classifier.of(a, 14);
      c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 224, 224));
      double expectedMacs = gmacs3ch * 1e9 - conv1Macs3ch * 2.0 / 3 - fcMacs1000 + fcMacs1000 * 14 / 1000.0;
      double macs = c.forwardFlops(new Shape(1, 1, 224, 224)) / 2.0;
      assertEquals(expectedMacs, macs, 0.01 * expectedMacs, name);
    }
  }
}
