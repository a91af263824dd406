package org.fedcxr.cli;

import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;

/**
 * Runs one job body against an all-or-nothing {@link JobOutput}: the body writes its parts to the staging area and
 * returns its results; the runner adds the common summary fields (job, version, resolved spec, times, output) and
 * commits, or aborts on any failure so no partial output looks complete; a failure that is not already a
 * {@link JobFailure} is reported with the output location and its root cause.
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
    try {
      Map<String, Object> summary = JobSummary.of(spec, out.location(), start, body.run(out));
      out.commit(summary);
      return summary;
    } catch (Exception e) { // Spark and Hadoop also throw checked I/O exceptions through Scala code
      try {
        out.abort();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof JobFailure || e instanceof SpecException) {
        throw (RuntimeException) e;
      }
      throw new JobFailure("the output " + out.location() + " was not completed (nothing marked complete): "
          + rootCause(e), e);
    }
  }

  /**
   * The innermost cause's class and message (what went wrong), preceded by the first line of the outermost message
   * when that differs (where it went wrong, e.g. Spark's stage failure naming a file), cut to 400 characters.
   */
  static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String root = t.getClass().getSimpleName() + ": " + t.getMessage();
    String top = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    String text = t == e || top.isEmpty() || top.contains(String.valueOf(t.getMessage())) ? root
        : top + " ... caused by " + root;
    return text.length() > 400 ? text.substring(0, 400) + "..." : text;
  }
}
