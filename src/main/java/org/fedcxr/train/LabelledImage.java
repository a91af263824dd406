package org.fedcxr.train;

import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Row;

/** One training example as the images table stores it: 8-bit gray pixels and multi-hot labels (NaN = unknown). */
public record LabelledImage(String imageId, int height, int width, byte[] pixels, float[] labels) {
  /** Adapts a stream of images-table rows (a Spark partition) without materialising it. */
  public static Iterator<LabelledImage> fromRows(Iterator<Row> rows) {
    return map(rows, LabelledImage::labels);
  }

  /** Adapts a stream of images-table rows for self-supervised training: labels are never read (none are kept). */
  public static Iterator<LabelledImage> unlabelled(Iterator<Row> rows) {
    return map(rows, r -> new float[0]);
  }

  private static float[] labels(Row r) {
    List<Object> raw = r.getList(r.fieldIndex("labels"));
    float[] labels = new float[raw.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = ((Number) raw.get(i)).floatValue();
    }
    return labels;
  }

  private static Iterator<LabelledImage> map(Iterator<Row> rows, Function<Row, float[]> labels) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public LabelledImage next() {
        Row r = rows.next();
        return new LabelledImage(r.getAs("image_id"), r.<Integer>getAs("height"), r.<Integer>getAs("width"),
            r.getAs("pixels"), labels.apply(r));
      }
    };
  }
}
