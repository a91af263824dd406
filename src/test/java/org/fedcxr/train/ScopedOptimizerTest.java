package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.junit.jupiter.api.Test;

class ScopedOptimizerTest {
  /** Runs 5 updates of two parameters with random gradients; returns the final weights. */
  static float[] run(Optimizer optimizer) {
    try (NDManager m = NDManager.newBaseManager()) {
      SplittableRandom rnd = new SplittableRandom(3);
      NDArray[] weights = {m.create(random(rnd, 12), new Shape(3, 4)), m.create(random(rnd, 5), new Shape(5))};
      for (int step = 0; step < 5; step++) {
        for (int p = 0; p < weights.length; p++) {
          NDArray grad = m.create(random(rnd, (int) weights[p].size()), weights[p].getShape());
          optimizer.update("p" + p, weights[p], grad);
        }
      }
      float[] a = weights[0].toFloatArray();
      float[] b = weights[1].toFloatArray();
      float[] out = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, out, a.length, b.length);
      return out;
    }
  }

  static float[] random(SplittableRandom rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  @Test
  void givesDjlsAdamAndSgdResultsToTheBit() {
    Tracker cosine = Tracker.cosine().setBaseValue(0.01f).optFinalValue(0f).setMaxUpdates(5).build();
    try (ScopedOptimizer adam = ScopedOptimizer.adam(cosine, 1e-4f);
        ScopedOptimizer sgd = ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0.9f, 1e-4f);
        ScopedOptimizer plain = ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0f, 0f)) {
      float[] ours = run(adam);
      assertArrayEquals(run(Optimizer.adam().optLearningRateTracker(cosine).optWeightDecays(1e-4f).build()), ours);
      assertFalse(Arrays.equals(ours, run(ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0f, 0f))), "the test can fail");
      assertArrayEquals(run(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
          .optWeightDecays(1e-4f).build()), run(sgd));
      assertArrayEquals(run(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0f).build()),
          run(plain));
    }
  }

  /**
   * Its own step (used by both trainers) against DJL's {@code Trainer.step()}, on two copies of one model trained on
   * the same batches: the same weights to the bit.
   */
  @Test
  void itsStepEqualsDjlsTrainerStepToTheBit() {
    float[] viaTrainer = TorchThread.call(() -> threeSteps(true));
    float[] viaOptimizer = TorchThread.call(() -> threeSteps(false));
    assertArrayEquals(viaTrainer, viaOptimizer);
    assertFalse(Arrays.equals(viaOptimizer, TorchThread.call(() -> initial())), "the steps moved the weights");
  }

  private static Classifier model(NDManager m) {
    Engine.getEngine("PyTorch").setRandomSeed(5);
    Classifier c = Classifier.of(Architecture.SMALL, 14);
    c.initialize(m, DataType.FLOAT32, new Shape(4, 1, 32, 32));
    return c;
  }

  private static float[] initial() {
    try (NDManager m = NDManager.newBaseManager()) {
      return StateDict.flatten(model(m));
    }
  }

  private static float[] threeSteps(boolean djlStep) {
    try (Model model = Model.newInstance("step-check", Device.cpu(), "PyTorch");
        ScopedOptimizer adam = ScopedOptimizer.adam(Tracker.fixed(0.01f), 1e-4f)) {
      model.setBlock(model(model.getNDManager()));
      try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(adam))) {
        trainer.initialize(new Shape(4, 1, 32, 32));
        StateDict.load(model.getBlock(), initial());
        SplittableRandom rnd = new SplittableRandom(9);
        for (int step = 0; step < 3; step++) {
          try (NDManager batch = trainer.getManager().newSubManager()) {
            NDArray x = batch.create(random(rnd, 4 * 32 * 32), new Shape(4, 1, 32, 32));
            NDArray y = batch.create(random(rnd, 4 * 14), new Shape(4, 14));
            try (GradientCollector gc = trainer.newGradientCollector()) {
              gc.backward(trainer.getLoss().evaluate(new NDList(y), trainer.forward(new NDList(x))));
            }
            if (djlStep) {
              trainer.step();
            } else {
              adam.step(model.getBlock().getParameters().values());
            }
          }
        }
        return StateDict.flatten(model.getBlock());
      }
    }
  }
}
