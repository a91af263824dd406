package org.fedcxr.data;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The images table that {@code ingest} writes and later stages read: one row per accepted image, pixels as 8-bit gray
 * bytes, labels multi-hot in the order named by the {@code label_names} metadata of the {@code labels} column.
 */
public final class ImagesTable {
  public static final String LABEL_NAMES = "label_names";
  public static final List<String> COLUMNS = List.of("image_id", "patient_id", "view", "split", "labels", "height",
      "width", "pixels", "source_path");

  /** The columns of the table, in order. */
  public static final StructType SCHEMA = new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("patient_id", DataTypes.StringType, false)
      .add("view", DataTypes.StringType, true)
      .add("split", DataTypes.StringType, false)
      .add("labels", DataTypes.createArrayType(DataTypes.FloatType, false), false)
      .add("height", DataTypes.IntegerType, false)
      .add("width", DataTypes.IntegerType, false)
      .add("pixels", DataTypes.BinaryType, false)
      .add("source_path", DataTypes.StringType, false);

  private ImagesTable() {
  }

  /** The {@code labels} column carrying the label names as metadata. */
  public static Column labelsWithNames(Dataset<Row> df, List<String> labelNames) {
    Metadata meta = new MetadataBuilder().putStringArray(LABEL_NAMES, labelNames.toArray(String[]::new)).build();
    return df.col("labels").as("labels", meta);
  }

  /**
   * Aggregates counting positives: one per label (a label counts where it is 1; 0 and NaN do not), then one for
   * images with no positive label ("No Finding"). Each is a long named {@code positives_<i>} / {@code no_finding}.
   */
  public static List<Column> positiveCounts(int labelCount) {
    List<Column> out = new ArrayList<>();
    Column none = functions.lit(true);
    for (int i = 0; i < labelCount; i++) {
      Column positive = functions.coalesce(functions.col("labels").getItem(i).equalTo(1f), functions.lit(false));
      out.add(functions.sum(functions.when(positive, 1L).otherwise(0L)).as("positives_" + i));
      none = none.and(functions.not(positive));
    }
    out.add(functions.sum(functions.when(none, 1L).otherwise(0L)).as("no_finding"));
    return out;
  }

  /** The label names stored with a table that {@code ingest} wrote. */
  public static List<String> labelNames(Dataset<Row> df) {
    StructField field = df.schema().apply("labels");
    if (!field.metadata().contains(LABEL_NAMES)) {
      throw new IllegalArgumentException("the labels column carries no label names: not an ingest output");
    }
    return List.of(field.metadata().getStringArray(LABEL_NAMES));
  }
}
