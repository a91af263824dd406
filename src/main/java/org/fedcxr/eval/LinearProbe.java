package org.fedcxr.eval;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.not;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.fedcxr.model.EvaluationResult;

/**
 * A linear probe of a frozen encoder: per label, MLlib's {@link LogisticRegression} on the encoder's features of
 * the training images (unknown labels left out), then the same per-label AUC and average precision as the federated
 * evaluation on the test images. Frames need {@code features} (array of floats) and {@code labels}.
 *
 * <p>The fits read the training features from one partition: MLlib sums its partitions' gradients in the order their
 * tasks finish, so over several partitions the same job could give probes that differ in the last bits (and, where
 * two images' scores then swap order, in an AUC's fourth decimal). The features are computed in parallel and cached
 * first; only the fits' reads are in one task.
 */
public final class LinearProbe {
  private LinearProbe() {
  }

  public static EvaluationResult evaluate(Dataset<Row> train, Dataset<Row> test, List<String> labels,
      double regParam, int maxIter) {
    Dataset<Row> te = test.withColumn("vec", functions.array_to_vector(col("features")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<LogisticRegressionModel> models = fit(train, labels.size(), regParam, maxIter);
      List<Column> probabilities = new ArrayList<>();
      Dataset<Row> scored = te;
      for (int k = 0; k < models.size(); k++) {
        scored = models.get(k).transform(scored);
        probabilities.add(functions.vector_to_array(col("prob_" + k), "float32").getItem(1));
      }
      Dataset<Row> withProbabilities = scored.withColumn("probabilities",
          array(probabilities.toArray(Column[]::new)));
      return Evaluator.evaluateScored(withProbabilities, labels);
    } finally {
      te.unpersist();
    }
  }

  /** One logistic regression per label on the rows where it is known, each fit reading one partition. */
  static List<LogisticRegressionModel> fit(Dataset<Row> train, int labelCount, double regParam, int maxIter) {
    Dataset<Row> cached = train.withColumn("vec", functions.array_to_vector(col("features")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      cached.count();
      Dataset<Row> tr = cached.coalesce(1);
      List<LogisticRegressionModel> models = new ArrayList<>();
      for (int k = 0; k < labelCount; k++) {
        Column label = col("labels").getItem(k);
        Dataset<Row> known = tr.filter(not(isnan(label))).withColumn("y", label.cast(DataTypes.DoubleType));
        models.add(new LogisticRegression().setFeaturesCol("vec").setLabelCol("y")
            .setRegParam(regParam).setMaxIter(maxIter).setProbabilityCol("prob_" + k)
            .setRawPredictionCol("raw_" + k).setPredictionCol("pred_" + k).fit(known));
      }
      return models;
    } finally {
      cached.unpersist();
    }
  }
}
