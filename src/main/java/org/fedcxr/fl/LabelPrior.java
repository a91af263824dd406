package org.fedcxr.fl;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.fedcxr.data.ImagesTable;

/**
 * Each label's prior log-odds over the federation's images, the starting bias of a classifier's head: with it the
 * first local steps see predicted probabilities near each label's share instead of 0.5, so they are not spent pushing
 * every logit down. The server needs each client's image and positive counts once (FedAvg already uses the image
 * counts); the share is smoothed by half an image either way, so a label with no positive gets a finite bias.
 */
public final class LabelPrior {
  private LabelPrior() {
  }

  /** {@code ln((positives + 0.5) / (images - positives + 0.5))}. */
  public static float logOdds(long positives, long images) {
    if (positives < 0 || positives > images) {
      throw new IllegalArgumentException(positives + " positives of " + images + " images");
    }
    return (float) Math.log((positives + 0.5) / (images - positives + 0.5));
  }

  /** Each of {@code labelCount} labels' log-odds over the rows of {@code images} (a table with a labels column). */
  public static float[] logOdds(Dataset<Row> images, int labelCount) {
    List<Column> aggs = new ArrayList<>(ImagesTable.positiveCounts(labelCount));
    aggs.add(count(lit(1)).as("images"));
    Row sums = images.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    long total = sums.getLong(sums.fieldIndex("images"));
    float[] out = new float[labelCount];
    for (int i = 0; i < labelCount; i++) {
      out[i] = logOdds(sums.getLong(sums.fieldIndex("positives_" + i)), total);
    }
    return out;
  }
}
