package org.fedcxr.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What every job shares on the command line: {@code --spec} (default {@code jobs/<job>.yaml} under FEDCXR_HOME when
 * it exists) and {@code --set key=value}, validated before Spark starts; exit code 2 for a bad spec, 1 for a run-time
 * failure, with a message that says what and where.
 */
abstract class JobCommand implements Callable<Integer> {
  @Option(names = "--spec", description = "the job spec (YAML); default jobs/<job>.yaml")
  Path specFile;

  @Option(names = "--set", description = "override one spec key, e.g. --set seed=7 (repeatable)")
  List<String> overrides = new ArrayList<>();

  /** The job's name: its {@code @Command} name, as in its spec schema. */
  final String job() {
    return getClass().getAnnotation(Command.class).name();
  }

  /** Settings a flag of the job applies after the spec file and before {@code --set} (none by default). */
  List<String> presets() {
    return List.of();
  }

  /** Runs the job with a validated spec in a Spark session whose master spark-submit chose. */
  abstract void run(SparkSession spark, Spec spec);

  @Override
  public Integer call() {
    Spec spec;
    try {
      List<String> settings = new ArrayList<>(presets());
      settings.addAll(overrides);
      spec = JobSpecs.schema(job()).load(specPath(), settings);
    } catch (SpecException e) {
      System.err.println("fedcxr " + job() + ": bad spec: " + e.getMessage());
      return 2;
    }
    SparkSession spark = SparkSession.builder().appName("fedcxr " + job()).getOrCreate();
    try {
      run(spark, spec);
      return 0;
    } catch (SpecException e) {
      System.err.println("fedcxr " + job() + ": bad spec: " + e.getMessage());
      return 2;
    } catch (JobFailure e) {
      System.err.println("fedcxr " + job() + ": failed: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      e.printStackTrace();
      System.err.println("fedcxr " + job() + ": failed: " + e);
      return 1;
    } finally {
      spark.stop();
    }
  }

  private Path specPath() {
    if (specFile != null) {
      if (!Files.isRegularFile(specFile)) {
        throw new SpecException("spec file " + specFile + " does not exist");
      }
      return specFile;
    }
    Path fallback = Locations.home().resolve("jobs").resolve(job() + ".yaml");
    return Files.isRegularFile(fallback) ? fallback : null;
  }
}
