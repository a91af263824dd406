package org.fedcxr.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import picocli.CommandLine.Command;

/**
 * {@code bench}: measurements side by side in one run, written to {@code <output>/<suite>/_SUMMARY.json} and printed.
 * Suites: {@code ingest} (decode and resize against ImageMagick), {@code train} (training images/s and FLOP/s as a
 * share of matmul FLOP/s), {@code pretrain} (the same for BYOL and SimSiam), {@code memory} (resident memory over many training steps), {@code rounds} (federated
 * round time, its overhead beyond client training, and driver memory, by number of clients), {@code predict} (the
 * predict job's images/s per core), {@code optimizer} (Adam and BYOL's EMA per step, DJL's kernels against the
 * one-pass updates).
 */
@Command(name = "bench",
    description = "Measure ingest, training, pretraining or predict speed, training memory or rounds.")
public final class BenchJob extends JobCommand {

  @Override
  void run(SparkSession spark, Spec spec) {
    String root = Locations.resolve(spec.string("output"));
    if (!root.startsWith("file:")) {
      throw new JobFailure("bench writes to a local directory, not " + root);
    }
    String suite = spec.string("suite");
    Path dir = Path.of(URI.create(root));
    Map<String, Object> results = switch (suite) {
      case "ingest" -> IngestBenchmark.run(spark, spec, dir);
      case "train" -> TrainBenchmark.run(spec);
      case "pretrain" -> PretrainBenchmark.run(spec);
      case "rounds" -> RoundBenchmark.run(spark, spec, dir);
      case "predict" -> PredictBenchmark.run(spark, spec, dir);
      case "optimizer" -> OptimizerBenchmark.run(spec);
      default -> MemoryBenchmark.run(spec);
    };
    results.forEach((k, v) -> System.out.printf("bench %s: %-58s %s%n", suite, k,
        v instanceof Double d ? String.format("%.3f", d) : v));
    JobRunner.execute(spark, spec.with("output", root + "/" + suite), out -> results);
  }
}
