package org.fedcxr.data;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

/**
 * The counts an ingest reports in {@code _SUMMARY.json}, computed on the cluster from the persisted result in two
 * aggregations: by quarantine reason, and by split with the positives of every label.
 */
public final class IngestSummary {
  private IngestSummary() {
  }

  public static Map<String, Object> of(Ingestor.Result r) {
    List<String> names = r.labelNames();
    long files = 0;
    long accepted = 0;
    Map<String, Long> reasons = new TreeMap<>();
    for (Row row : r.all().groupBy("reason").count().collectAsList()) {
      files += row.getLong(1);
      if (row.isNullAt(0)) {
        accepted = row.getLong(1);
      } else {
        reasons.put(row.getString(0), row.getLong(1));
      }
    }

    List<Column> aggs = new ArrayList<>();
    aggs.add(countDistinct("patient_id"));
    aggs.addAll(ImagesTable.positiveCounts(names.size()));
    Map<String, Long> perLabel = new LinkedHashMap<>();
    names.forEach(n -> perLabel.put(n, 0L));
    perLabel.put("No Finding", 0L);
    Map<String, Object> splits = new TreeMap<>();
    for (Row row : r.images().groupBy("split").agg(count(lit(1)), aggs.toArray(Column[]::new)).collectAsList()) {
      Map<String, Long> splitLabels = new LinkedHashMap<>();
      for (int i = 0; i <= names.size(); i++) {
        String name = i < names.size() ? names.get(i) : "No Finding";
        long n = row.isNullAt(3 + i) ? 0 : row.getLong(3 + i);
        splitLabels.put(name, n);
        perLabel.merge(name, n, Long::sum);
      }
      Map<String, Object> split = new LinkedHashMap<>();
      split.put("images", row.getLong(1));
      split.put("patients", row.getLong(2));
      split.put("images_per_label", splitLabels);
      splits.put(row.getString(0), split);
    }

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("files_seen", files);
    out.put("images_ingested", accepted);
    out.put("label_rows", r.labelRows());
    out.put("label_rows_without_image", r.labelRowsWithoutImage());
    out.put("label_names", names);
    out.put("images_per_label", perLabel);
    out.put("splits", splits);
    out.put("quarantined", files - accepted);
    out.put("quarantined_by_reason", reasons);
    if (r.officialTestListed() > 0) {
      out.put("official_test_list_images", r.officialTestListed());
    }
    return out;
  }
}
