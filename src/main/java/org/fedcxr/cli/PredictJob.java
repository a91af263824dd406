package org.fedcxr.cli;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.catalog.Catalog;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImageStore;
import org.fedcxr.eval.Thresholds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.DiseaseScorer;
import org.fedcxr.model.Weights;
import picocli.CommandLine.Command;

/**
 * {@code predict}: scores a folder of X-rays that has no label table with a checkpoint, decoding and resizing them as
 * {@code ingest} does and quarantining bad files with its reasons; writes one row per image with the probabilities
 * (an array and one column per disease) and, given thresholds, the findings at or above them.
 */
@Command(name = "predict", description = "Score new X-ray images (no label table) with a trained checkpoint.")
public final class PredictJob extends JobCommand {

  @Override
  void run(SparkSession spark, Spec spec) {
    Map<String, Object> summary = execute(spark, spec);
    Map<?, ?> results = (Map<?, ?>) summary.get("results");
    System.out.println("predict: " + results.get("images_scored") + " images scored, " + results.get("quarantined")
        + " quarantined " + results.get("quarantined_by_reason") + " -> " + summary.get("output"));
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec) {
    String weightsLocation = Locations.resolve(spec.string("weights"));
    byte[] weights = WeightFiles.read(spark, weightsLocation);
    Map<String, String> metadata = WeightFiles.metadata(weights, spec.string("weights"));
    Architecture arch = WeightFiles.architecture(spec.string("architecture"), metadata, spec.string("weights"));
    List<String> labels = labels(spec, metadata);
    int size = imageSize(spec, metadata);
    Thresholds thresholds = thresholds(spark, spec, labels);
    ImageStore.Settings store = new ImageStore.Settings(Locations.resolve(spec.string("input")), spec.string("glob"),
        size, spec.integer("min_source_px"), spec.integer("max_source_px"));
    return JobRunner.execute(spark, spec, out -> {
      ImageStore.Result read = ImageStore.read(spark, store);
      DiseaseScorer scorer = DiseaseScorer.fromBytes(spark, weights, arch, labels.size(), spec.integer("batch_size"));
      try {
        Dataset<Row> scored = scorer.transform(read.images());
        List<Column> columns = new ArrayList<>(List.of(col("image_id"), col("source_path"), col("probabilities")));
        for (int k = 0; k < labels.size(); k++) {
          columns.add(col("probabilities").getItem(k).as(labels.get(k)));
        }
        columns.add(findings(labels, thresholds).as("findings"));
        scored.select(columns.toArray(Column[]::new)).write().mode(SaveMode.Overwrite)
            .parquet(out.staged("predictions"));
        read.quarantine().write().mode(SaveMode.Overwrite).parquet(out.staged("quarantine"));
        Map<String, Object> results = new LinkedHashMap<>();
        Dataset<Row> predictions = spark.read().parquet(out.staged("predictions"));
        results.put("images_scored", predictions.count());
        Map<String, Long> byReason = new TreeMap<>();
        for (Row r : read.quarantine().groupBy("reason").agg(count(lit(1))).collectAsList()) {
          byReason.put(r.getString(0), r.getLong(1));
        }
        results.put("quarantined", byReason.values().stream().mapToLong(Long::longValue).sum());
        results.put("quarantined_by_reason", byReason);
        results.put("weights", weightsLocation);
        results.put("architecture", arch.name());
        results.put("image_size", size);
        results.put("labels", labels);
        results.put("thresholds", spec.string("thresholds"));
        results.put("thresholds_chosen_on_split", thresholds == null ? null : thresholds.split());
        results.put("labels_without_threshold", thresholds == null ? labels : labels.stream()
            .filter(l -> !thresholds.byLabel().containsKey(l)).toList());
        return results;
      } finally {
        scorer.release();
        read.all().unpersist();
      }
    });
  }

  /** Labels with a probability at or above their threshold, in label order; null without thresholds. */
  private static Column findings(List<String> labels, Thresholds thresholds) {
    if (thresholds == null) {
      return lit(null).cast("array<string>");
    }
    List<Column> hits = new ArrayList<>();
    for (int k = 0; k < labels.size(); k++) {
      Double t = thresholds.byLabel().get(labels.get(k));
      if (t != null) {
        hits.add(when(col("probabilities").getItem(k).cast("double").geq(t), lit(labels.get(k))));
      }
    }
    return hits.isEmpty() ? array().cast("array<string>")
        : filter(array(hits.toArray(Column[]::new)), Column::isNotNull);
  }

  private static Thresholds thresholds(SparkSession spark, Spec spec, List<String> labels) {
    String file = spec.string("thresholds");
    if (file == null) {
      return null;
    }
    try {
      return Thresholds.parse(new String(WeightFiles.read(spark, Locations.resolve(file)), StandardCharsets.UTF_8),
          labels, file);
    } catch (IllegalArgumentException e) {
      throw new JobFailure("thresholds " + e.getMessage(), e);
    }
  }

  /** The model's labels: its checkpoint's metadata, else the spec's catalog dataset. */
  private static List<String> labels(Spec spec, Map<String, String> metadata) {
    if (metadata.get(Weights.LABELS) != null) {
      return Arrays.asList(metadata.get(Weights.LABELS).split(","));
    }
    if (spec.string("dataset") == null) {
      throw new JobFailure("weights " + spec.string("weights") + " name no labels (metadata '" + Weights.LABELS
          + "'); set key 'dataset' to the catalog dataset the model was trained on");
    }
    return Catalog.open(spec.string("catalog")).get(spec.string("dataset"), null).labels();
  }

  /** The side length to resize to: the spec's, else the checkpoint's metadata. */
  private static int imageSize(Spec spec, Map<String, String> metadata) {
    if (spec.integer("image_size") > 0) {
      return spec.integer("image_size");
    }
    String fromWeights = metadata.get(Weights.IMAGE_SIZE);
    if (fromWeights == null) {
      throw new JobFailure("weights " + spec.string("weights") + " name no image size (metadata '" + Weights.IMAGE_SIZE
          + "'); set key 'image_size' to the size the model was trained on");
    }
    return Integer.parseInt(fromWeights);
  }
}
