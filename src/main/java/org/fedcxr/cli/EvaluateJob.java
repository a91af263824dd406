package org.fedcxr.cli;

import static org.apache.spark.sql.functions.col;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImagesTable;
import org.fedcxr.eval.Evaluator;
import org.fedcxr.eval.MetricsTables;
import org.fedcxr.eval.Thresholds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.DiseaseScorer;
import org.fedcxr.model.EvaluationResult;
import picocli.CommandLine.Command;

/**
 * {@code evaluate}: scores any checkpoint on any ingest output with the federated run's own evaluation code; writes
 * the per-image probabilities (Parquet), per-label metrics (CSV) and {@code _SUMMARY.json}; on a split other than
 * test (e.g. val), also the per-disease thresholds with the best F1 there ({@code thresholds.csv}, for
 * {@code predict}).
 */
@Command(name = "evaluate", description = "Score a checkpoint on an ingested dataset: per-disease AUC and AP.")
public final class EvaluateJob extends JobCommand {

  @Override
  void run(SparkSession spark, Spec spec) {
    Map<String, Object> summary = execute(spark, spec);
    Map<?, ?> results = (Map<?, ?>) summary.get("results");
    System.out.println("evaluate: mean AUC " + results.get("mean_auc") + " over " + results.get("labels_defined")
        + " labels (undefined: " + results.get("labels_undefined") + ") -> " + summary.get("output"));
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec) {
    String input = JobOutput.requireComplete(spec.string("input"), "ingest",
        spark.sparkContext().hadoopConfiguration());
    byte[] weights = WeightFiles.read(spark, Locations.resolve(spec.string("weights")));
    Map<String, String> metadata = WeightFiles.metadata(weights, spec.string("weights"));
    Architecture arch = WeightFiles.architecture(spec.string("architecture"), metadata, spec.string("weights"));
    Dataset<Row> images = spark.read().parquet(input + "/images");
    List<String> labels = ImagesTable.labelNames(images);
    if (!spec.string("split").equals("all")) {
      images = images.filter(col("split").equalTo(spec.string("split")));
    }
    Dataset<Row> test = images;
    return JobRunner.execute(spark, spec, out -> {
      DiseaseScorer scorer = DiseaseScorer.fromBytes(spark, weights, arch, labels.size(), spec.integer("batch_size"));
      Dataset<Row> scored = scorer.transform(test).persist(StorageLevel.MEMORY_AND_DISK());
      try {
        scored.select("image_id", "patient_id", "labels", "probabilities").write()
            .mode(SaveMode.Overwrite).parquet(out.staged("predictions"));
        EvaluationResult evaluation = Evaluator.evaluateScored(scored, labels);
        Map<String, Object> results = new LinkedHashMap<>(evaluation.toMap());
        String split = spec.string("split");
        if (!split.equals("test") && !split.equals("all")) { // never chosen on the test split
          out.writeText("thresholds.csv", Thresholds.choose(scored, labels, split).csv(labels));
        }
        results.put("architecture", arch.name());
        results.put("weights_metadata", metadata);
        out.writeText("metrics_per_label.csv", MetricsTables.perLabel(evaluation, labels));
        return results;
      } finally {
        scored.unpersist();
        scorer.release();
      }
    });
  }
}
