package org.fedcxr.cli;

import org.fedcxr.model.Initialization;
import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Seeds;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImagesTable;
import org.fedcxr.eval.LinearProbe;
import org.fedcxr.eval.MetricsTables;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.DiseaseScorer;
import org.fedcxr.model.EvaluationResult;
import org.fedcxr.model.TorchThread;
import org.fedcxr.model.Weights;
import org.fedcxr.ssl.BatchNormRefresh;
import org.fedcxr.ssl.PretrainRun;
import picocli.CommandLine.Command;

/**
 * {@code probe}: does an encoder learn something useful? Freezes it (a pretraining export, or {@code random}: a
 * randomly initialised encoder from the seed, the baseline), fits a logistic regression per disease on its features
 * of the training split's labelled images (or of a partition's clients' images pooled) and reports test AUC per
 * disease and the mean.
 */
@Command(name = "probe", description = "Linear probe of a frozen encoder: per-disease logistic regression, test AUC.")
public final class ProbeJob extends JobCommand {
  /** Batch size of the BatchNorm statistics' recomputation: the pretraining's default batch. */
  private static final int BN_BATCH = 32;

  @Override
  void run(SparkSession spark, Spec spec) {
    Map<String, Object> summary = execute(spark, spec);
    Map<?, ?> r = (Map<?, ?>) summary.get("results");
    System.out.println("probe: " + spec.string("encoder") + ": mean " + spec.string("eval_split") + " AUC "
        + r.get("mean_auc") + " over "
        + r.get("labels_defined") + " diseases -> " + summary.get("output"));
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec) {
    String input = JobOutput.requireComplete(spec.string("input"), "ingest",
        spark.sparkContext().hadoopConfiguration());
    Dataset<Row> images = spark.read().parquet(input + "/images");
    List<String> labels = ImagesTable.labelNames(images);
    byte[] encoder;
    Architecture arch;
    Map<String, String> metadata = new LinkedHashMap<>();
    if (spec.string("encoder").equals("random")) {
      if (spec.string("architecture") == null) {
        throw new JobFailure("encoder 'random' needs key 'architecture'");
      }
      arch = Architecture.named(spec.string("architecture"));
      encoder = randomEncoder(arch, spec.longValue("seed"));
      metadata.put("kind", "random encoder, seed " + spec.longValue("seed"));
    } else {
      encoder = WeightFiles.read(spark, Locations.resolve(spec.string("encoder")));
      metadata = new LinkedHashMap<>(WeightFiles.metadata(encoder, spec.string("encoder")));
      arch = WeightFiles.architecture(spec.string("architecture"), metadata, spec.string("encoder"));
    }
    if (spec.string("bn_statistics").equals("server")) {
      JavaPairRDD<Integer, Row> server = PretrainRun.shards(images.filter(col("split").equalTo("server")), 1,
          spec.longValue("seed"));
      try {
        encoder = BatchNormRefresh.encoder(server, arch, encoder, BN_BATCH, spec.longValue("seed"),
            "the server pool of " + input);
      } finally {
        server.unpersist();
      }
      metadata.put(BatchNormRefresh.PROVENANCE, WeightFiles.metadata(encoder, spec.string("encoder"))
          .get(BatchNormRefresh.PROVENANCE));
    }
    Map<String, String> provenance = metadata;
    byte[] probed = encoder;
    Dataset<Row> train = spec.string("train_partition") == null
        ? images.filter(col("split").equalTo(spec.string("train_split"))) : pooledClients(spark, spec, labels);
    Dataset<Row> test = images.filter(col("split").equalTo(spec.string("eval_split")));
    return JobRunner.execute(spark, spec, out -> {
      DiseaseScorer features = DiseaseScorer.featuresFromBytes(spark, probed, arch, spec.integer("batch_size"));
      try {
        EvaluationResult evaluation = LinearProbe.evaluate(features.transform(train).select("labels", "features"),
            features.transform(test).select("labels", "features"), labels, spec.number("reg_param"),
            spec.integer("max_iter"));
        Map<String, Object> results = new LinkedHashMap<>(evaluation.toMap());
        results.put("train_images", train.count());
        results.put("encoder", spec.string("encoder"));
        results.put("architecture", arch.name());
        results.put("encoder_metadata", provenance);
        out.writeText("metrics_per_label.csv", MetricsTables.perLabel(evaluation, labels));
        return results;
      } finally {
        features.release();
      }
    });
  }

  /** Every client's images of the partition in {@code train_partition}, whose labels must be the ingest's. */
  private static Dataset<Row> pooledClients(SparkSession spark, Spec spec, List<String> labels) {
    String partition = JobOutput.requireComplete(spec.string("train_partition"), "partition",
        spark.sparkContext().hadoopConfiguration());
    Dataset<Row> clients = spark.read().parquet(partition + "/clients");
    if (!ImagesTable.labelNames(clients).equals(labels)) {
      throw new JobFailure("train_partition " + partition + " has labels " + ImagesTable.labelNames(clients)
          + ", the ingest in input has " + labels + ": partition that ingest");
    }
    return clients;
  }

  private static byte[] randomEncoder(Architecture arch, long seed) {
    return TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        Classifier c = Classifier.of(arch, 14);
        Initialization.seeded((int) Seeds.derive(seed, "init"),
            () -> c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 64, 64)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Weights.save(c.encoder(), arch.name(), Map.of("kind", "random"), out);
        return out.toByteArray();
      }
    });
  }
}
