package org.fedcxr.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.bench.Benchmarks;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import picocli.CommandLine.Command;

/** {@code bench}: one of the {@link Benchmarks} suites, written to {@code <output>/<suite>/_SUMMARY.json} and printed. */
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
    Map<String, Object> results = Benchmarks.run(spark, spec, Path.of(URI.create(root)), Jobs.on(spark, false));
    results.forEach((k, v) -> System.out.printf("bench %s: %-58s %s%n", suite, k,
        v instanceof Double d ? String.format("%.3f", d) : v));
    JobRunner.execute(spark, spec.with("output", root + "/" + suite), out -> results);
  }
}
