package org.fedcxr.config;

import java.util.Map;

/**
 * Runs the job its spec names ({@link Spec#job()}) and returns the job's summary; {@code resume} continues a stopped
 * run where the job can. Code that runs other jobs (the study, the benchmarks) is given one by the entry points, so it
 * does not depend on them.
 */
@FunctionalInterface
public interface JobLauncher {
  Map<String, Object> launch(Spec spec, boolean resume);
}
