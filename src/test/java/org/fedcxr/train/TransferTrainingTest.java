package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fedcxr.fl.FederatedRun;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.fedcxr.testing.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transfer options train what they claim: frozen parts stay bit-identical, scaled parts move by the scale. */
class TransferTrainingTest {
  @TempDir
  Path tmp;

  /** Plain one-step-per-batch settings: no augmentation, decay or clipping, constant rate. */
  static TrainConfig.Builder plain() {
    return TrainConfig.builder().setBatchSize(16).setEpochs(1).optThreads(1).optAugmenter(Augmenter.NONE)
        .optWeightDecay(0f).optClipNorm(0f).optSchedule("constant").optLearningRate(1e-3f);
  }

  private static float[] pretrained() {
    return TorchThread.call(() -> {
      Engine.getEngine("PyTorch").setRandomSeed(3);
      try (NDManager m = NDManager.newBaseManager()) {
        Classifier c = Classifier.of(Architecture.SMALL, 14);
        c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
        return StateDict.flatten(c);
      }
    });
  }

  private static Map<String, float[]> named(float[] flat) {
    return TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        Classifier c = Classifier.of(Architecture.SMALL, 14);
        c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
        StateDict.load(c, flat);
        Map<String, float[]> out = new LinkedHashMap<>();
        StateDict.of(c).forEach((k, p) -> out.put(k, p.getArray().toFloatArray()));
        return out;
      }
    });
  }

  private Map<String, float[]> train(TrainConfig config, float[] initial, int images) {
    try (LocalShard shard = LocalShard.spool(TrainingData.images(images, 32).iterator(), tmp)) {
      return named(new LocalTrainer(Architecture.SMALL, 14, config).train(initial, shard, 9, Device.cpu())
          .weights());
    }
  }

  private static boolean head(String name) {
    return name.startsWith(Architecture.SMALL.head() + ".");
  }

  @Test
  void headOnlyTrainingLeavesTheEncoderAndItsStatisticsBitIdentical() {
    float[] initial = pretrained();
    Map<String, float[]> before = named(initial);
    Map<String, float[]> after = train(plain().build().headOnly(), initial, 48);
    for (String k : before.keySet()) {
      if (head(k)) {
        assertFalse(Arrays.equals(before.get(k), after.get(k)), k + " should train");
      } else {
        assertArrayEquals(before.get(k), after.get(k), k + " should stay frozen");
      }
    }
  }

  @Test
  void frozenBatchNormKeepsTheStatisticsWhileTheWeightsTrain() {
    float[] initial = pretrained();
    Map<String, float[]> before = named(initial);
    Map<String, float[]> after = train(plain().optFrozenBatchNorm(true).build(), initial, 48);
    Map<String, float[]> free = train(plain().build(), initial, 48);
    for (String k : before.keySet()) {
      boolean statistic = k.endsWith("running_mean") || k.endsWith("running_var");
      if (statistic) {
        assertArrayEquals(before.get(k), after.get(k), k);
        assertFalse(Arrays.equals(before.get(k), free.get(k)), k + " moves when not frozen");
      } else if (k.endsWith("weight")) {
        assertFalse(Arrays.equals(before.get(k), after.get(k)), k + " should train");
      }
    }
  }

  @Test
  void theEncoderMovesByItsLearningRateScaleAndTheHeadByTheFullRate() {
    float[] initial = pretrained();
    Map<String, float[]> before = named(initial);
    Map<String, float[]> full = train(plain().build(), initial, 16); // one step
    Map<String, float[]> half = train(plain().optEncoderLrScale(0.25f).build(), initial, 16);
    for (String k : before.keySet()) {
      if (k.endsWith("running_mean") || k.endsWith("running_var")) {
        continue;
      }
      float[] w = before.get(k);
      double scale = head(k) ? 1 : 0.25;
      for (int i = 0; i < w.length; i++) {
        double expected = scale * (full.get(k)[i] - w[i]);
        assertEquals(expected, half.get(k)[i] - w[i], 1e-6, k + "[" + i + "]");
      }
    }
  }

  @Test
  void aStandardizedHeadTrainsTheHeadAloneOnAFrozenEncoderAndDiffersFromAPlainOne() {
    float[] initial = pretrained();
    Map<String, float[]> before = named(initial);
    Map<String, float[]> standardized = train(plain().optStandardizeHead(true).build().headOnly(), initial, 48);
    Map<String, float[]> raw = train(plain().build().headOnly(), initial, 48);
    for (String k : before.keySet()) {
      if (head(k)) {
        assertFalse(Arrays.equals(before.get(k), standardized.get(k)), k + " should train");
        assertFalse(Arrays.equals(raw.get(k), standardized.get(k)), k + " should train differently");
      } else {
        assertArrayEquals(before.get(k), standardized.get(k), k + " should stay frozen");
      }
    }
  }

  @Test
  void headRoundsTrainTheHeadAloneThenEverything() {
    TrainConfig train = plain().build();
    FederatedRun.Settings s = new FederatedRun.Settings(1, 5, 1, 1, "small", 14, train, 1, 2, 0, 0);
    assertEquals(0f, s.trainIn(1).encoderLrScale());
    assertTrue(s.trainIn(2).frozenBatchNorm());
    assertSame(train, s.trainIn(3));
    assertEquals(List.of(1e-3f, 1e-3f), List.of(s.trainIn(1).learningRate(), s.trainIn(3).learningRate()));
  }
}
