package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.Pixels;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.fedcxr.testing.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standardised head is the plain head's function, centred on the client's own features, and goes back exactly. */
class HeadStandardizationTest {
  @TempDir
  Path tmp;

  @Test
  void theStandardizedHeadComputesTheSameLogitsItsBiasIsTheirMeanAndItGoesBack() {
    int n = 23;
    try (LocalShard shard = LocalShard.spool(TrainingData.images(n, 32).iterator(), tmp)) {
      TorchThread.run(() -> {
        Engine.getEngine("PyTorch").setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
          Classifier c = Classifier.of(Architecture.SMALL, 14);
          c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
          float[] weights = StateDict.flatten(c);
          float[] x = new float[n * 32 * 32];
          byte[] px = new byte[32 * 32];
          for (int i = 0; i < n; i++) {
            shard.read(i, px, new float[14]);
            Pixels.normalise(px, x, i * 32 * 32);
          }
          NDArray images = m.create(x, new Shape(n, 1, 32, 32));
          float[] plain = logits(c, images, m);

          HeadStandardization s = HeadStandardization.enter(c, shard, 10, m); // batches of 10, 10 and 3
          float[] standardized = logits(c, images, m);
          assertArrayEquals(plain, standardized, 1e-4f, "the same function");
          float[] bias = c.head().getParameters().get("bias").getArray().toFloatArray();
          for (int k = 0; k < 14; k++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
              mean += standardized[i * 14 + k] / n;
            }
            assertEquals(mean, bias[k], 1e-4, "centred features: the bias is the mean logit of label " + k);
          }
          assertFalse(Arrays.equals(weights, StateDict.flatten(c)), "the head was rewritten");

          s.exit();
          assertArrayEquals(plain, logits(c, images, m), 1e-4f);
          assertArrayEquals(weights, StateDict.flatten(c), 1e-5f, "back to the plain head");
        }
      });
    }
  }

  private static float[] logits(Classifier c, NDArray images, NDManager m) {
    return c.forward(new ParameterStore(m, false), new NDList(images), false).singletonOrThrow().toFloatArray();
  }
}
