package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
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
  void givesDjlsSgdResultsToTheBit() {
    try (ScopedOptimizer sgd = ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0.9f, 1e-4f);
        ScopedOptimizer plain = ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0f, 0f)) {
      float[] ours = run(sgd);
      assertArrayEquals(run(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
          .optWeightDecays(1e-4f).build()), ours);
      assertArrayEquals(run(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0f).build()),
          run(plain));
      assertFalse(Arrays.equals(ours, run(ScopedOptimizer.sgd(Tracker.fixed(0.05f), 0f, 0f))), "the test can fail");
    }
  }

  /**
   * Its Adam against DJL's Adam: to the bit by default (DJL's kernel), and with the one-pass update within a few
   * rounding steps after five updates (DJL's kernel's square root rounds differently).
   */
  @Test
  void givesDjlsAdamResults() {
    Tracker cosine = Tracker.cosine().setBaseValue(0.01f).optFinalValue(0f).setMaxUpdates(5).build();
    try (ScopedOptimizer adam = ScopedOptimizer.adam(cosine, 1e-4f).optOnePass();
        ScopedOptimizer kernel = ScopedOptimizer.adam(cosine, 1e-4f)) {
      float[] ours = run(adam);
      float[] djl = run(Optimizer.adam().optLearningRateTracker(cosine).optWeightDecays(1e-4f).build());
      assertArrayEquals(djl, run(kernel));
      float[] start = run(ScopedOptimizer.adam(Tracker.fixed(0f), 0f));
      for (int i = 0; i < ours.length; i++) {
        assertEquals(djl[i], ours[i], 1e-6f, "weight " + i);
        assertTrue(Math.abs(ours[i] - start[i]) > 1e-3f, "weight " + i + " moved (the test can fail)");
      }
    }
  }

  /**
   * With the one pass, a strided weight or gradient (a transposed view, whose buffer DJL would give as a copy) is
   * updated by DJL's kernel instead, and the weight itself moves: the same result as for contiguous arrays holding
   * the same values.
   */
  @Test
  void updatesStridedArraysInPlace() {
    try (NDManager m = NDManager.newBaseManager();
        ScopedOptimizer strided = ScopedOptimizer.adam(Tracker.fixed(0.01f), 1e-4f).optOnePass();
        ScopedOptimizer contiguous = ScopedOptimizer.adam(Tracker.fixed(0.01f), 1e-4f).optOnePass()) {
      SplittableRandom rnd = new SplittableRandom(4);
      NDArray w = m.create(random(rnd, 12), new Shape(4, 3)).transpose();
      NDArray w2 = m.create(w.toFloatArray(), new Shape(3, 4));
      float[] before = w.toFloatArray();
      for (int step = 0; step < 3; step++) {
        NDArray g = m.create(random(rnd, 12), new Shape(4, 3)).transpose();
        strided.update("p", w, g);
        contiguous.update("p", w2, m.create(g.toFloatArray(), new Shape(3, 4)));
      }
      assertArrayEquals(w2.toFloatArray(), w.toFloatArray(), 1e-6f);
      assertFalse(Arrays.equals(before, w.toFloatArray()), "the strided weight moved");
    }
  }

  /**
   * Its own step (used by both trainers) against DJL's Adam through DJL's {@code Trainer.step()}, on copies of one
   * model trained on the same batches: the same weights, to the bit with DJL's kernel and up to rounding with the
   * one pass, after three steps (a gradient left over from
   * one step into the next would move them by far more), and every gradient zero after each of its steps.
   */
  @Test
  void itsStepEqualsDjlsAdamThroughTrainerStep() {
    float[] viaTrainer = TorchThread.call(() -> threeSteps(true, false));
    assertArrayEquals(viaTrainer, TorchThread.call(() -> threeSteps(false, false)), "DJL's kernel: to the bit");
    float[] viaOptimizer = TorchThread.call(() -> threeSteps(false, true));
    float[] start = TorchThread.call(() -> initial());
    double moved = 0;
    for (int i = 0; i < viaTrainer.length; i++) {
      assertEquals(viaTrainer[i], viaOptimizer[i], 1e-5f, "weight " + i);
      moved = Math.max(moved, Math.abs(viaOptimizer[i] - start[i]));
    }
    assertTrue(moved > 0.01, "the steps moved the weights: " + moved);
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

  private static float[] threeSteps(boolean djlStep, boolean onePass) {
    try (Model model = Model.newInstance("step-check", Device.cpu(), "PyTorch");
        ScopedOptimizer adam = onePass ? ScopedOptimizer.adam(Tracker.fixed(0.01f), 1e-4f).optOnePass()
            : ScopedOptimizer.adam(Tracker.fixed(0.01f), 1e-4f)) {
      model.setBlock(model(model.getNDManager()));
      Optimizer optimizer = djlStep
          ? Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).optWeightDecays(1e-4f).build() : adam;
      try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(optimizer))) {
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
              for (Parameter p : model.getBlock().getParameters().values()) {
                if (p.requiresGradient()) {
                  try (NDArray g = p.getArray().getGradient()) {
                    assertEquals(0f, g.abs().max().getFloat(), p.getName() + "'s gradient after the step");
                  }
                }
              }
            }
          }
        }
        return StateDict.flatten(model.getBlock());
      }
    }
  }
}
