package org.fedcxr.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The counts an ingest reports in {@code _SUMMARY.json}, computed on the cluster from the persisted result. */
public final class IngestSummary {
  private IngestSummary() {
  }

  public static Map<String, Object> of(Ingestor.Result r) {
    Dataset<Row> images = r.images();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("files_seen", r.all().count());
    out.put("images_ingested", images.count());
    out.put("label_rows", r.labelRows());
    out.put("label_rows_without_image", r.labelRowsWithoutImage());
    out.put("label_names", r.labelNames());

    List<Column> sums = new ArrayList<>();
    for (int i = 0; i < r.labelNames().size(); i++) {
      sums.add(sum(when(col("labels").getItem(i).equalTo(1f), 1L).otherwise(0L)));
    }
    Column none = lit(true);
    for (int i = 0; i < r.labelNames().size(); i++) {
      none = none.and(col("labels").getItem(i).notEqual(1f));
    }
    sums.add(sum(when(none, 1L).otherwise(0L)));
    Row totals = images.agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first();
    Map<String, Long> perLabel = new LinkedHashMap<>();
    for (int i = 0; i < r.labelNames().size(); i++) {
      perLabel.put(r.labelNames().get(i), totals.isNullAt(i) ? 0L : totals.getLong(i));
    }
    perLabel.put("No Finding", totals.isNullAt(r.labelNames().size()) ? 0L : totals.getLong(r.labelNames().size()));
    out.put("images_per_label", perLabel);

    Map<String, Object> splits = new TreeMap<>();
    for (Row row : images.groupBy("split").agg(count(lit(1)), countDistinct("patient_id")).collectAsList()) {
      splits.put(row.getString(0), Map.of("images", row.getLong(1), "patients", row.getLong(2)));
    }
    out.put("splits", splits);

    Map<String, Long> reasons = new TreeMap<>();
    for (Row row : r.quarantine().groupBy("reason").count().collectAsList()) {
      reasons.put(row.getString(0), row.getLong(1));
    }
    out.put("quarantined", reasons.values().stream().mapToLong(Long::longValue).sum());
    out.put("quarantined_by_reason", reasons);
    return out;
  }
}
