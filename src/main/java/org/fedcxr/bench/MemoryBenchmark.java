package org.fedcxr.bench;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fedcxr.config.Spec;
import org.fedcxr.model.Architecture;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.LocalTrainer;
import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.TrainingListener;

/**
 * The {@code memory} suite of {@code bench}: the process's resident memory (VmRSS) every 50 steps of one long local
 * training, and its growth after the first 100 steps (allocator and JIT warm-up). Native memory that is never
 * released (an unclosed NDArray per step) shows as steady growth.
 */
final class MemoryBenchmark {
  private MemoryBenchmark() {
  }

  static Map<String, Object> run(Spec spec) {
    Architecture arch = Architecture.named(spec.string("architecture"));
    int batch = spec.integer("memory_batch_size");
    int steps = spec.integer("memory_steps");
    int size = spec.integer("memory_image_size");
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("architecture", arch.name());
    results.put("steps", steps);
    results.put("batch_size", batch);
    results.put("image_size", size);
    Map<String, Double> rss = new LinkedHashMap<>();
    TrainConfig config = TrainConfig.builder().setBatchSize(batch).setEpochs(1).optThreads(spec.integer("threads"))
        .build();
    try (LocalShard shard = LocalShard.spool(TrainBenchmark.randomImages(batch * steps, size,
        spec.longValue("seed")).iterator(), Path.of(System.getProperty("java.io.tmpdir")))) {
      new LocalTrainer(arch, 14, config).optListener(new TrainingListener<Void>() {
        @Override
        public void onStep(int step, float loss) {
          if (step % 50 == 0) {
            rss.put("step_" + step, residentMegabytes());
          }
        }
      }).train(null, shard, spec.longValue("seed"), Device.cpu());
    }
    results.put("rss_mb", rss);
    double at100 = rss.getOrDefault("step_100", Double.NaN);
    double atEnd = rss.getOrDefault("step_" + (steps / 50 * 50), Double.NaN);
    results.put("rss_growth_mb_after_step_100", atEnd - at100);
    results.put("across_trainings", acrossTrainings(arch, spec));
    return results;
  }

  /**
   * Many short trainings in one JVM, each started from a new thread as Spark's task threads are (what an executor
   * does round after round): resident memory after each. It must not grow with the number of trainings.
   */
  private static Map<String, Object> acrossTrainings(Architecture arch, Spec spec) {
    int trainings = spec.integer("memory_trainings");
    int size = spec.integer("image_size");
    TrainConfig config = TrainConfig.builder().setBatchSize(spec.integer("batch_size")).setEpochs(1)
        .optThreads(spec.integer("threads")).build();
    Map<String, Double> rss = new LinkedHashMap<>();
    for (int i = 1; i <= trainings; i++) {
      Thread t = new Thread(() -> {
        try (LocalShard shard = LocalShard.spool(TrainBenchmark.randomImages(2 * spec.integer("batch_size"), size,
            spec.longValue("seed")).iterator(), Path.of(System.getProperty("java.io.tmpdir")))) {
          new LocalTrainer(arch, 14, config).train(null, shard, spec.longValue("seed"), Device.cpu());
        }
      });
      t.start();
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      rss.put("training_" + i, residentMegabytes());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("image_size", size);
    out.put("batch_size", spec.integer("batch_size"));
    out.put("rss_mb", rss);
    out.put("rss_growth_mb_from_training_2", rss.get("training_" + trainings) - rss.get("training_2"));
    return out;
  }

  /**
   * Minor page faults of this process so far, from /proc (Linux): each is a page of memory touched for the first
   * time since the process got it from the kernel (a heap grown, a block mapped anew).
   */
  static long minorPageFaults() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // from field 3, the state
      return Long.parseLong(fields[7]); // field 10, minflt
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** VmRSS of this process from /proc (Linux). */
  static double residentMegabytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      return Double.NaN;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
