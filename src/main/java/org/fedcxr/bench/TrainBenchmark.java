package org.fedcxr.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.fedcxr.config.Seeds;
import org.fedcxr.config.Spec;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.TorchThread;
import org.fedcxr.train.Augmenter;
import org.fedcxr.train.LabelledImage;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.LocalTrainer;
import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.TrainingListener;

/**
 * The {@code train} suite of {@code bench}: a 2048x2048 fp32 matmul's FLOP/s, then training images/s of the
 * architecture at 128 and 224 px (the trainer's full step: batch assembly, augmentation, forward, masked BCE,
 * backward, clipping, Adam), and the achieved FLOP/s (3x the forward FLOPs per image) as a share of the matmul's,
 * all on the same threads in one run. Each size trains two epochs of {@code train_steps} steps; the second is timed.
 * With {@code trainings} N above 1, N trainings run at once in this JVM (each on its own {@link TorchThread} lane with
 * {@code threads} threads, as an executor with {@code spark.fedcxr.training.threads} does): images/s is their sum, and
 * the share is of N matmuls on {@code threads} threads each.
 */
final class TrainBenchmark {
  static final String MATMUL = "matmul_2048_gflop_per_s";

  private TrainBenchmark() {
  }

  static Map<String, Object> run(Spec spec) {
    Map<String, Object> results = start(spec);
    Architecture arch = Architecture.named(spec.string("architecture"));
    int trainings = spec.integer("trainings");
    results.put("trainings", trainings);
    double matmul = (Double) results.get(MATMUL) * 1e9 * trainings;
    for (int size : new int[] {128, 224}) {
      List<LocalTrainer.Result> runs = trainings == 1 ? List.of(timedRun(arch, size, spec))
          : timedRuns(arch, size, spec, trainings);
      double imagesPerSecond = 0;
      double batchShare = 0;
      for (LocalTrainer.Result r : runs) {
        imagesPerSecond += r.samples() / r.lastEpochSeconds();
        batchShare += r.batchSeconds() / r.seconds() / runs.size();
      }
      double flops = 3.0 * forwardFlops(arch, size) * imagesPerSecond;
      results.put("train_" + size + "px_img_per_s", imagesPerSecond);
      results.put("train_" + size + "px_gflop_per_s", flops / 1e9);
      results.put("train_" + size + "px_share_of_matmul", flops / matmul);
      results.put("train_" + size + "px_share_of_time_building_batches", batchShare);
    }
    return results;
  }

  /** {@code n} trainings of {@link #timedRun} started together, each from its own thread on its own lane. */
  private static List<LocalTrainer.Result> timedRuns(Architecture arch, int size, Spec spec, int n) {
    TorchThread.ensureLanes(n);
    ExecutorService starters = Executors.newFixedThreadPool(n);
    try {
      List<Future<LocalTrainer.Result>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(starters.submit(() -> timedRun(arch, size, spec)));
      }
      List<LocalTrainer.Result> out = new ArrayList<>();
      for (Future<LocalTrainer.Result> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the trainings ran", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a training failed", e.getCause());
    } finally {
      starters.shutdownNow();
    }
  }

  /**
   * Sets libtorch's intra-op threads and starts a suite's results: the architecture, threads, batch size and the
   * matmul's GFLOP/s under {@value #MATMUL}, measured on those threads.
   */
  static Map<String, Object> start(Spec spec) {
    int threads = spec.integer("threads");
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("architecture", Architecture.named(spec.string("architecture")).name());
    results.put("threads", threads);
    results.put("batch_size", spec.integer("batch_size"));
    results.put(MATMUL, matmulFlops(threads) / 1e9);
    return results;
  }

  /**
   * FLOP/s of a 2048x2048 fp32 matmul (2n^3 per product) on {@code threads} threads, best of 10 after 3 warm-ups, on
   * a libtorch lane as the trainings are (why only lanes run libtorch: {@link TorchThread}).
   */
  static double matmulFlops(int threads) {
    return TorchThread.call(() -> {
      JniUtils.setNumThreads(threads);
      return matmulFlops();
    });
  }

  private static double matmulFlops() {
    int n = 2048;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 13; i++) {
        try (NDManager scope = m.newSubManager()) {
          long t0 = System.nanoTime();
          NDArray c = a.matMul(b);
          c.attach(scope);
          double s = (System.nanoTime() - t0) / 1e9;
          if (i >= 3) {
            best = Math.min(best, s);
          }
        }
      }
      return 2.0 * n * n * n / best;
    }
  }

  static long forwardFlops(Architecture arch, int size) {
    return TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        Classifier c = Classifier.of(arch, 14);
        c.initialize(m, DataType.FLOAT32, new Shape(1, 1, size, size));
        return c.forwardFlops(new Shape(1, 1, size, size));
      }
    });
  }

  /** Two epochs of {@code train_steps} steps of supervised training on random images. */
  static LocalTrainer.Result timedRun(Architecture arch, int size, Spec spec) {
    return timedRun(arch, size, spec, new TrainingListener<Void>() { });
  }

  /** {@link #timedRun(Architecture, int, Spec)}, telling {@code listener} of every step. */
  static LocalTrainer.Result timedRun(Architecture arch, int size, Spec spec, TrainingListener<?> listener) {
    int batch = spec.integer("batch_size");
    int steps = spec.integer("train_steps");
    TrainConfig config = TrainConfig.builder().setBatchSize(batch).setEpochs(2).optThreads(spec.integer("threads"))
        .optAugmenter(Augmenter.DEFAULT).build();
    List<LabelledImage> images = randomImages(batch * steps, size, spec.longValue("seed"));
    try (LocalShard shard = LocalShard.spool(images.iterator(), Path.of(System.getProperty("java.io.tmpdir")))) {
      return new LocalTrainer(arch, 14, config).optListener(listener).train(null, shard, spec.longValue("seed"),
          Device.cpu());
    }
  }

  static List<LabelledImage> randomImages(int n, int size, long seed) {
    SplittableRandom rnd = Seeds.random(seed, "bench-images");
    List<LabelledImage> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[size * size];
      for (int k = 0; k < px.length; k++) {
        px[k] = (byte) rnd.nextInt(256);
      }
      float[] labels = new float[14];
      labels[rnd.nextInt(14)] = 1f;
      out.add(new LabelledImage("img" + i, size, size, px, labels));
    }
    return out;
  }
}
