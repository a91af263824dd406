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
 */
public final class LinearProbe {
  private LinearProbe() {
  }

  public static EvaluationResult evaluate(Dataset<Row> train, Dataset<Row> test, List<String> labels,
      double regParam, int maxIter) {
    Dataset<Row> tr = train.withColumn("vec", functions.array_to_vector(col("features")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> te = test.withColumn("vec", functions.array_to_vector(col("features")))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Column> probabilities = new ArrayList<>();
      Dataset<Row> scored = te;
      for (int k = 0; k < labels.size(); k++) {
        Column label = col("labels").getItem(k);
        Dataset<Row> known = tr.filter(not(isnan(label))).withColumn("y", label.cast(DataTypes.DoubleType));
        LogisticRegressionModel model = new LogisticRegression().setFeaturesCol("vec").setLabelCol("y")
            .setRegParam(regParam).setMaxIter(maxIter).setProbabilityCol("prob_" + k)
            .setRawPredictionCol("raw_" + k).setPredictionCol("pred_" + k).fit(known);
        scored = model.transform(scored);
        probabilities.add(functions.vector_to_array(col("prob_" + k), "float32").getItem(1));
      }
      Dataset<Row> withProbabilities = scored.withColumn("probabilities",
          array(probabilities.toArray(Column[]::new)));
      return Evaluator.evaluateScored(withProbabilities, labels);
    } finally {
      tr.unpersist();
      te.unpersist();
    }
  }
}
