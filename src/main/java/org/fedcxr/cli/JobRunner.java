package org.fedcxr.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.Spec;

/**
 * Runs one job body against an all-or-nothing {@link JobOutput}: the body writes its parts to the staging area and
 * returns its results; the runner adds the common summary fields (job, version, resolved spec, times, output) and
 * commits, or aborts on any failure so no partial output looks complete.
 */
final class JobRunner {
  /** A job body: writes into the output's staging area and returns its results for the summary. */
  interface Body {
    Map<String, Object> run(JobOutput out);
  }

  private JobRunner() {
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec, Body body) {
    Instant start = Instant.now();
    JobOutput out = JobOutput.begin(spec.string("output"), spark.sparkContext().hadoopConfiguration());
    boolean committed = false;
    try {
      Map<String, Object> results = body.run(out);
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("job", spec.job());
      summary.put("fedcxr_version", Main.class.getPackage().getImplementationVersion());
      summary.put("output", out.location());
      summary.put("spec_source", spec.source());
      summary.put("spec", spec.resolved());
      summary.put("started", start.toString());
      summary.put("seconds", Duration.between(start, Instant.now()).toMillis() / 1000.0);
      summary.put("results", results);
      out.commit(summary);
      committed = true;
      return summary;
    } finally {
      if (!committed) {
        out.abort();
      }
    }
  }
}
