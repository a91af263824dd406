package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.fedcxr.testing.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTrainerTest {
  @TempDir
  Path tmp;

  static final TrainConfig CONFIG = TrainConfig.builder().setBatchSize(16).setEpochs(2).optThreads(1)
      .optClassWeighted(true).build();

  private LocalTrainer.Result train(List<LabelledImage> data, long seed, float[] initial) {
    try (LocalShard shard = LocalShard.spool(data.iterator(), tmp)) {
      return new LocalTrainer(Architecture.SMALL, 14, CONFIG).train(initial, shard, seed, Device.cpu());
    }
  }

  @Test
  void sameSeedRowsAndWeightsGiveTheSameWeightsBitForBit() {
    List<LabelledImage> data = TrainingData.images(48, 32);
    LocalTrainer.Result a = train(data, 7, null);
    List<LabelledImage> shuffled = new ArrayList<>(data);
    Collections.reverse(shuffled);
    LocalTrainer.Result b = train(shuffled, 7, null);
    assertArrayEquals(a.weights(), b.weights(), "row arrival order must not matter");
    LocalTrainer.Result c = train(data, 8, null);
    assertFalse(Arrays.equals(a.weights(), c.weights()));
    LocalTrainer.Result d = train(data, 7, a.weights());
    LocalTrainer.Result e = train(data, 7, a.weights());
    assertArrayEquals(d.weights(), e.weights());
    assertEquals(48, a.samples());
    assertEquals(6, a.steps());
  }

  /**
   * A batch whose labels are all unknown has a zero loss and zero gradients. DJL's Trainer refused such a first step
   * ("Gradient values are all zeros"), which failed a client whose first batch had only unknown labels; the optimizer's
   * own step takes it: Adam moves no weight on a zero gradient (weight decay 0).
   */
  @Test
  void aFirstBatchWithOnlyUnknownLabelsIsAZeroStepNotAFailure() {
    List<LabelledImage> unknown = new ArrayList<>();
    for (LabelledImage img : TrainingData.images(4, 32)) {
      float[] none = new float[14];
      Arrays.fill(none, Float.NaN);
      unknown.add(new LabelledImage(img.imageId(), img.height(), img.width(), img.pixels(), none));
    }
    TrainConfig config = TrainConfig.builder().setBatchSize(2).setEpochs(1).optThreads(1).optClipNorm(0f)
        .optWeightDecay(0f).build();
    Initial init = initial(7);
    try (LocalShard shard = LocalShard.spool(unknown.iterator(), tmp)) {
      LocalTrainer.Result r = new LocalTrainer(Architecture.SMALL, 14, config).train(init.weights(), shard, 7,
          Device.cpu());
      assertEquals(2, r.steps());
      assertEquals(0.0, r.lastEpochLoss());
      for (int i = 0; i < init.weights().length; i++) {
        if (!init.statistics()[i]) {
          assertEquals(init.weights()[i], r.weights()[i], "weight " + i + " moved on a zero gradient");
        }
      }
    }
  }

  /** A small classifier's weights from a seed, and which of them are BatchNorm running statistics. */
  private record Initial(float[] weights, boolean[] statistics) {
  }

  private static Initial initial(int seed) {
    Engine.getEngine("PyTorch").setRandomSeed(seed);
    try (NDManager m = NDManager.newBaseManager()) {
      Classifier c = Classifier.of(Architecture.SMALL, 14);
      c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
      float[] w = StateDict.flatten(c);
      boolean[] statistics = new boolean[w.length];
      int offset = 0;
      for (var e : StateDict.of(c).entrySet()) {
        int n = (int) e.getValue().getArray().size();
        Arrays.fill(statistics, offset, offset + n, e.getKey().contains("running_"));
        offset += n;
      }
      return new Initial(w, statistics);
    }
  }

  /**
   * FedProx adds μ·(w − w₀) to every trainable weight's gradient. One batch per epoch and plain SGD (constant rate,
   * no momentum, no clipping): the first step is the same with and without FedProx (the proximal term is 0 at w₀), so at the second
   * both compute the same data gradient at the same w₁, and FedProx's w₂ differs from plain SGD's by exactly
   * −η·μ·(w₁ − w₀). BatchNorm statistics are not trained and stay equal.
   */
  @Test
  void fedProxAddsMuTimesTheDriftFromTheStartToEveryTrainableGradient() {
    float lr = 1f;
    float mu = 5f;
    List<LabelledImage> data = TrainingData.images(32, 32);
    Initial init = initial(11);
    float[] w0 = init.weights();
    boolean[] statistics = init.statistics();
    float[] w1 = sgd(data, w0, 1, lr, 0f);
    float[] plain = sgd(data, w0, 2, lr, 0f);
    float[] prox = sgd(data, w0, 2, lr, mu);
    int large = 0;
    for (int i = 0; i < w0.length; i++) {
      double difference = (double) prox[i] - plain[i];
      if (statistics[i]) {
        assertEquals(0.0, difference, "BatchNorm statistic " + i);
      } else {
        double expected = -(double) lr * mu * ((double) w1[i] - w0[i]);
        assertEquals(expected, difference, 1e-7 + 1e-3 * Math.abs(expected), "weight " + i);
        large += Math.abs(expected) > 1e-4 ? 1 : 0;
      }
    }
    assertTrue(large > 1000, large + " weights moved measurably by the proximal term");
  }

  private float[] sgd(List<LabelledImage> data, float[] initial, int epochs, float lr, float mu) {
    TrainConfig config = TrainConfig.builder().setBatchSize(data.size()).setEpochs(epochs).optThreads(1)
        .optOptimizer("sgd").optMomentum(0f).optLearningRate(lr).optSchedule("constant").optClipNorm(0f).optAugmenter(Augmenter.NONE)
        .optProxMu(mu).build();
    try (LocalShard shard = LocalShard.spool(data.iterator(), tmp)) {
      return new LocalTrainer(Architecture.SMALL, 14, config).train(initial, shard, 3, Device.cpu()).weights();
    }
  }

  @Test
  void theCosineScheduleStartsAtTheFullRateAndNeverReachesZero() {
    Tracker one = LocalTrainer.cosine(1e-3f, 1);
    assertEquals(1e-3f, one.getNewValue(1), 0f, "a one-step round trains at the full rate");
    Tracker four = LocalTrainer.cosine(1f, 4);
    float[] expected = {1f, (float) ((1 + Math.cos(Math.PI / 4)) / 2), 0.5f,
        (float) ((1 + Math.cos(3 * Math.PI / 4)) / 2)};
    for (int t = 1; t <= 4; t++) {
      assertEquals(expected[t - 1], four.getNewValue(t), 1e-6f, "update " + t);
    }
    // a client with one batch moves its weights (not only BatchNorm statistics) on the cosine schedule
    TrainConfig config = TrainConfig.builder().setBatchSize(16).setEpochs(1).optThreads(1).optSchedule("cosine")
        .build();
    Initial init = initial(7);
    try (LocalShard shard = LocalShard.spool(TrainingData.images(8, 32).iterator(), tmp)) {
      LocalTrainer.Result r = new LocalTrainer(Architecture.SMALL, 14, config).train(init.weights(), shard, 7,
          Device.cpu());
      assertEquals(1, r.steps());
      int moved = 0;
      for (int i = 0; i < init.weights().length; i++) {
        moved += !init.statistics()[i] && init.weights()[i] != r.weights()[i] ? 1 : 0;
      }
      assertTrue(moved > 0, "one step at a rate above 0 moves the weights");
    }
  }

  @Test
  void lossGoesDownOnLearnableData() {
    List<LabelledImage> data = TrainingData.images(160, 32);
    LocalTrainer trainer = new LocalTrainer(Architecture.SMALL, 14, TrainConfig.builder().setBatchSize(16)
        .setEpochs(6).optLearningRate(3e-3f).optAugmenter(Augmenter.NONE).build());
    try (LocalShard shard = LocalShard.spool(data.iterator(), tmp)) {
      LocalTrainer.Result r = trainer.train(null, shard, 1, Device.cpu());
      assertTrue(r.lastEpochLoss() < 0.8 * r.firstEpochLoss(), r.firstEpochLoss() + " -> " + r.lastEpochLoss());
    }
  }

  /**
   * DJL's own collector fails a second gradient recording in a JVM ("already collecting"); two concurrent trainings
   * both finish and equal their sequential results, on one lane or several.
   */
  @Test
  void concurrentTrainingsInOneJvmAreSerialisedAndUnchanged() throws Exception {
    List<LabelledImage> data = TrainingData.images(32, 32);
    LocalTrainer.Result[] results = new LocalTrainer.Result[2];
    Throwable[] errors = new Throwable[2];
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int k = t;
      threads.add(new Thread(() -> {
        try (LocalShard shard = LocalShard.spool(data.iterator(), tmp)) {
          go.await();
          results[k] = new LocalTrainer(Architecture.SMALL, 14, CONFIG).train(null, shard, k, Device.cpu());
        } catch (Throwable e) {
          errors[k] = e;
        }
      }));
    }
    threads.forEach(Thread::start);
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(null, errors[0]);
    assertEquals(null, errors[1]);
    assertArrayEquals(train(data, 0, null).weights(), results[0].weights());
    assertArrayEquals(train(data, 1, null).weights(), results[1].weights());
  }

  /**
   * With two lanes, two trainings run at the same time (each waits in its first step until the other is in one too),
   * record gradients and draw their seeded initial weights at once, and each equals the same training alone, bit for
   * bit, fresh and on each lane's kept model.
   */
  @Test
  void twoLanesTrainTwoClientsAtOnceWithTheirSequentialResults() throws Exception {
    TorchThread.ensureLanes(2);
    assertTrue(TorchThread.lanes() >= 2);
    List<LabelledImage> data = TrainingData.images(32, 32);
    float[] global = train(TrainingData.images(16, 32), 3, null).weights();
    for (boolean kept : new boolean[] {false, true}) {
      LocalTrainer.Result[] results = new LocalTrainer.Result[2];
      Throwable[] errors = new Throwable[2];
      boolean[] together = new boolean[2];
      CountDownLatch inStep = new CountDownLatch(2);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int k = t;
        LocalTrainer trainer = new LocalTrainer(Architecture.SMALL, 14, CONFIG).optListener(
            new TrainingListener<Void>() {
              @Override
              public void onStep(int step, float loss) {
                if (step == 1) {
                  inStep.countDown();
                  try {
                    together[k] = inStep.await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
              }
            });
        threads.add(new Thread(() -> {
          try (LocalShard shard = LocalShard.spool(data.iterator(), tmp)) {
            results[k] = kept ? trainer.trainOnKeptModel(global, shard, k, Device.cpu())
                : trainer.train(null, shard, k, Device.cpu());
          } catch (Throwable e) {
            errors[k] = e;
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      for (int k = 0; k < 2; k++) {
        assertEquals(null, errors[k]);
        assertTrue(together[k], "training " + k + " never ran beside the other");
        assertArrayEquals(train(data, k, kept ? global : null).weights(), results[k].weights(), "kept " + kept);
      }
    }
  }

  /**
   * Training clients of different sizes, seeds and starting weights in turn on the JVM's kept model gives each
   * exactly what a fresh training gives (optimizer state, update count and schedule restarted; weights reloaded), for
   * Adam with a cosine schedule and FedProx, SGD with momentum, and a frozen encoder, switching configs in between; a
   * failed training leaves the next clean.
   */
  @Test
  void trainingsOnTheKeptModelEqualFreshTrainingsBitForBit() {
    List<List<LabelledImage>> clients = List.of(TrainingData.images(40, 32), TrainingData.images(23, 32),
        TrainingData.images(57, 32));
    float[] global = train(TrainingData.images(16, 32), 3, null).weights();
    List<TrainConfig> configs = List.of(
        TrainConfig.builder().setBatchSize(16).setEpochs(2).optThreads(1).optSchedule("cosine").optProxMu(0.1f)
            .build(),
        TrainConfig.builder().setBatchSize(16).setEpochs(1).optThreads(1).optOptimizer("sgd").optMomentum(0.9f)
            .build(),
        TrainConfig.builder().setBatchSize(16).setEpochs(1).optThreads(1).build().headOnly(),
        TrainConfig.builder().setBatchSize(16).setEpochs(1).optThreads(1).optStandardizeHead(true).build());
    for (TrainConfig config : configs) {
      boolean[] fail = {false};
      LocalTrainer trainer = new LocalTrainer(Architecture.SMALL, 14, config).optListener(
          new TrainingListener<Void>() {
            @Override
            public void onStep(int step, float loss) {
              if (fail[0] && step == 2) {
                throw new IllegalStateException("planted failure");
              }
            }
          });
      for (int c = 0; c < clients.size(); c++) {
        try (LocalShard shard = LocalShard.spool(clients.get(c).iterator(), tmp)) {
          if (c == 1) {
            fail[0] = true;
            assertThrows(IllegalStateException.class, () -> trainer.trainOnKeptModel(global, shard, 99,
                Device.cpu()));
            fail[0] = false;
          }
          float[] kept = trainer.trainOnKeptModel(global, shard, 100 + c, Device.cpu()).weights();
          float[] fresh = trainer.train(global, shard, 100 + c, Device.cpu()).weights();
          assertArrayEquals(fresh, kept, "client " + c + " with " + config);
          assertFalse(Arrays.equals(global, kept));
        }
      }
    }
  }
}
