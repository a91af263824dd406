package org.fedcxr.fl;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fedcxr.data.ImagesTable;

/**
 * Each label's prior log-odds over the federation's images, the starting bias of a classifier's head: with it the
 * first local steps see predicted probabilities near each label's share instead of 0.5, so they are not spent pushing
 * every logit down. The server needs each client's counts of positive and of known labels once (FedAvg already uses
 * its image count); the share is smoothed by half an image either way, so a label with no positive gets a finite bias.
 */
public final class LabelPrior {
  private LabelPrior() {
  }

  /** {@code ln((positives + 0.5) / (known - positives + 0.5))} for a label known on {@code known} images. */
  public static float logOdds(long positives, long known) {
    if (positives < 0 || positives > known) {
      throw new IllegalArgumentException(positives + " positives of " + known + " images");
    }
    return (float) Math.log((positives + 0.5) / (known - positives + 0.5));
  }

  /**
   * Each of {@code labelCount} labels' log-odds over the rows of {@code images} (a table with a labels column) whose
   * label is known: as in the loss, an unknown label (NaN or null) counts neither way.
   */
  public static float[] logOdds(Dataset<Row> images, int labelCount) {
    List<Column> aggs = new ArrayList<>(ImagesTable.positiveCounts(labelCount));
    for (int i = 0; i < labelCount; i++) {
      Column label = col("labels").getItem(i);
      aggs.add(sum(when(label.isNotNull().and(not(isnan(label))), 1L).otherwise(0L)).as("known_" + i));
    }
    Row sums = images.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    float[] out = new float[labelCount];
    for (int i = 0; i < labelCount; i++) {
      out[i] = logOdds(count(sums, "positives_" + i), count(sums, "known_" + i));
    }
    return out;
  }

  private static long count(Row sums, String name) {
    return sums.isNullAt(sums.fieldIndex(name)) ? 0 : sums.getLong(sums.fieldIndex(name)); // null over no rows
  }
}
