package org.fedcxr.cli;

import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobLauncher;

/** The jobs that other jobs run (the study's partitions, pretraining and cells; the benchmarks' ingest and predict). */
public final class Jobs {
  private Jobs() {
  }

  /** A launcher on {@code spark}; {@code print}: the launched jobs report progress on stdout (pretrain, ingest). */
  public static JobLauncher on(SparkSession spark, boolean print) {
    return (spec, resume) -> switch (spec.job()) {
      case "ingest" -> IngestJob.execute(spark, spec, print);
      case "partition" -> PartitionJob.execute(spark, spec);
      case "pretrain" -> PretrainJob.execute(spark, spec, resume, print);
      case "federate" -> FederateJob.execute(spark, spec, resume, false);
      case "predict" -> PredictJob.execute(spark, spec);
      default -> throw new IllegalArgumentException("no job '" + spec.job() + "' is launched by another job");
    };
  }
}
