package org.fedcxr.bench;

import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobLauncher;
import org.fedcxr.config.Spec;

/**
 * The {@code bench} suites, measurements side by side in one run: {@code ingest} (decode and resize against
 * ImageMagick), {@code train} (training images/s and FLOP/s as a share of matmul FLOP/s), {@code pretrain} (the same
 * for BYOL and SimSiam), {@code memory} (resident memory over many training steps), {@code rounds} (federated round
 * time, its overhead beyond client training, and driver memory, by number of clients), {@code predict} (the predict
 * job's images/s per core), {@code optimizer} (Adam and BYOL's EMA per step, libtorch's kernels against the one-pass
 * updates), {@code ops} (libtorch's per-operator profile of supervised, BYOL and SimSiam training steps, with step
 * times and minor page faults).
 */
public final class Benchmarks {
  private Benchmarks() {
  }

  /** Runs the spec's {@code suite}, scratch files under {@code dir}; {@code jobs} runs the ingest and predict jobs. */
  public static Map<String, Object> run(SparkSession spark, Spec spec, Path dir, JobLauncher jobs) {
    return switch (spec.string("suite")) {
      case "ingest" -> IngestBenchmark.run(spark, spec, dir, jobs);
      case "train" -> TrainBenchmark.run(spec);
      case "pretrain" -> PretrainBenchmark.run(spec);
      case "rounds" -> RoundBenchmark.run(spark, spec, dir);
      case "predict" -> PredictBenchmark.run(spark, spec, dir, jobs);
      case "optimizer" -> OptimizerBenchmark.run(spec);
      case "ops" -> OpsBenchmark.run(spec, dir);
      default -> MemoryBenchmark.run(spec);
    };
  }
}
