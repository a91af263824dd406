package org.fedcxr.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.fedcxr.config.Spec;

/**
 * The one shape of every job's {@code _SUMMARY.json}: {@code job}, {@code fedcxr_version}, {@code commit} (the
 * source, {@link SourceVersion}), {@code output}, {@code spec_source}, {@code spec} (resolved), {@code started},
 * {@code seconds}, then the job's own {@code results}.
 */
final class JobSummary {
  private JobSummary() {
  }

  /** The summary of a job of {@code spec} that started at {@code started} and ends now. */
  static Map<String, Object> of(Spec spec, String output, Instant started, Map<String, Object> results) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", spec.job());
    summary.put("fedcxr_version", Main.class.getPackage().getImplementationVersion());
    summary.put("commit", SourceVersion.describe());
    summary.put("output", output);
    summary.put("spec_source", spec.source());
    summary.put("spec", spec.resolved());
    summary.put("started", started.toString());
    summary.put("seconds", Duration.between(started, Instant.now()).toMillis() / 1000.0);
    summary.put("results", results);
    return summary;
  }

  /** The job's own results in a summary made by {@link #of}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> results(Map<String, Object> summary) {
    return (Map<String, Object>) summary.get("results");
  }
}
