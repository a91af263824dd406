package org.fedcxr.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.fedcxr.config.Spec;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.TorchThread;
import org.fedcxr.ssl.SslBranch;
import org.fedcxr.ssl.SslConfig;
import org.fedcxr.ssl.SslTrainer;
import org.fedcxr.ssl.ViewAugmenter;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.LocalTrainer;

/**
 * The {@code pretrain} suite of {@code bench}, all on the same threads in one run: a 2048x2048 fp32 matmul's FLOP/s;
 * supervised training at 64 and 128 px as the reference; then self-supervised training of BYOL and SimSiam (SR-layer
 * on, the pretraining defaults) at 64 and 128 px, one pass per view, and BYOL with both views in one batch
 * ({@code joint_views}); each case with one view per pass runs twice with the one pass over each tensor and twice
 * with libtorch's Adam and EMA kernels ({@link SslTrainer#optLibtorchUpdates}), in the order one pass, libtorch,
 * libtorch, one pass, and reports both kinds' mean, their ratio and the ratio within each pair. Each is timed over
 * the second of two epochs of {@code train_steps} steps of {@code batch_size} images and reported as images/s,
 * FLOP/s and the share of the matmul's FLOP/s. FLOPs per image count both views: the online branch (encoder,
 * projector, predictor) forward and backward (3x its forward) on each, and for BYOL the target branch (encoder,
 * projector) forward on each; SimSiam's targets are the online projections.
 */
final class PretrainBenchmark {
  private static final int[] SIZES = {64, 128};

  private PretrainBenchmark() {
  }

  static Map<String, Object> run(Spec spec) {
    Map<String, Object> results = TrainBenchmark.start(spec);
    Architecture arch = Architecture.named(spec.string("architecture"));
    double matmul = (Double) results.get(TrainBenchmark.MATMUL) * 1e9;
    for (int size : SIZES) {
      LocalTrainer.Result r = TrainBenchmark.timedRun(arch, size, spec);
      double flopsPerImage = 3.0 * TrainBenchmark.forwardFlops(arch, size);
      put(results, "supervised_" + size + "px_", flopsPerImage, r.samples() / r.lastEpochSeconds(), matmul);
    }
    for (String method : SslConfig.METHODS) {
      for (boolean joint : method.equals("byol") ? new boolean[] {false, true} : new boolean[] {false}) {
        for (int size : SIZES) {
          SslConfig config = config(spec, method, joint);
          double flops = flopsPerImage(arch, config, size);
          SslTrainer.Result r = timedRun(new SslTrainer(arch, config), size, spec);
          int images = spec.integer("batch_size") * spec.integer("train_steps");
          String key = method + (joint ? "_joint_views_" : "_") + size + "px_";
          results.put(key + "share_of_time_building_views", r.viewSeconds() / r.seconds());
          if (joint) {
            put(results, key, flops, images / r.lastEpochSeconds(), matmul);
            continue;
          }
          // against libtorch's Adam and EMA kernels in the order one pass, libtorch, libtorch, one pass: each kind
          // runs once early and once late, so a drift over the four runs cancels from their ratio
          SslTrainer.Result k1 = timedRun(new SslTrainer(arch, config).optLibtorchUpdates(), size, spec);
          SslTrainer.Result k2 = timedRun(new SslTrainer(arch, config).optLibtorchUpdates(), size, spec);
          SslTrainer.Result r2 = timedRun(new SslTrainer(arch, config), size, spec);
          double onePass = r.lastEpochSeconds() + r2.lastEpochSeconds();
          double libtorch = k1.lastEpochSeconds() + k2.lastEpochSeconds();
          put(results, key, flops, 2 * images / onePass, matmul);
          put(results, key + "libtorch_updates_", flops, 2 * images / libtorch, matmul);
          stepTimes(results, key, r, r2, spec.integer("train_steps"));
          stepTimes(results, key + "libtorch_updates_", k1, k2, spec.integer("train_steps"));
          results.put(key + "one_pass_speedup", libtorch / onePass);
          results.put(key + "one_pass_speedup_first_pair", k1.lastEpochSeconds() / r.lastEpochSeconds());
          results.put(key + "one_pass_speedup_second_pair", k2.lastEpochSeconds() / r2.lastEpochSeconds());
        }
      }
    }
    return results;
  }

  private static void put(Map<String, Object> results, String key, double flopsPerImage, double imagesPerSecond,
      double matmul) {
    results.put(key + "gflop_per_img", flopsPerImage / 1e9);
    results.put(key + "img_per_s", imagesPerSecond);
    results.put(key + "gflop_per_s", flopsPerImage * imagesPerSecond / 1e9);
    results.put(key + "share_of_matmul", flopsPerImage * imagesPerSecond / matmul);
  }

  /**
   * Two runs' mean milliseconds per step of their timed epoch: in all, in the optimizer's updates, in BYOL's target
   * update (the rest: building views and the passes).
   */
  private static void stepTimes(Map<String, Object> results, String key, SslTrainer.Result a, SslTrainer.Result b,
      int steps) {
    double perStep = 1e3 / (2.0 * steps);
    results.put(key + "ms_per_step", (a.lastEpochSeconds() + b.lastEpochSeconds()) * perStep);
    results.put(key + "optimizer_ms_per_step", (a.optimizerSeconds() + b.optimizerSeconds()) * perStep);
    results.put(key + "target_update_ms_per_step", (a.emaSeconds() + b.emaSeconds()) * perStep);
  }

  static SslConfig config(Spec spec, String method, boolean jointViews) {
    return new SslConfig(method, true, 2, spec.integer("batch_size"), 1e-3f, "warmup-cosine", 1, 1e-6f, "run",
        0.99f, "cosine", 1024, 128, jointViews, ViewAugmenter.DEFAULT, spec.integer("threads"));
  }

  /**
   * Training FLOPs per image: 2 views x (3 x online forward), plus 2 x target forward for BYOL. The forward counts
   * convolutions and linear layers (2 per multiply-add); the SR-layer's small DFT products are left out.
   */
  static double flopsPerImage(Architecture arch, SslConfig config, int size) {
    SslTrainer trainer = new SslTrainer(arch, config);
    Shape one = new Shape(1, 1, size, size);
    return TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        SslBranch online = trainer.newOnline();
        online.initialize(m, DataType.FLOAT32, one);
        double flops = 2 * 3.0 * online.forwardFlops(one);
        if (config.method().equals("byol")) {
          SslBranch target = trainer.newTarget();
          target.initialize(m, DataType.FLOAT32, one);
          flops += 2.0 * target.forwardFlops(one);
        }
        return flops;
      }
    });
  }

  /** Two epochs of {@code train_steps} steps of self-supervised training on random images. */
  static SslTrainer.Result timedRun(SslTrainer trainer, int size, Spec spec) {
    int n = spec.integer("batch_size") * spec.integer("train_steps");
    try (LocalShard shard = LocalShard.spool(TrainBenchmark.randomImages(n, size, spec.longValue("seed")).iterator(),
        Path.of(System.getProperty("java.io.tmpdir")))) {
      return trainer.train(null, null, null, shard, spec.longValue("seed"), 1, 2, Device.cpu());
    }
  }
}
