package org.fedcxr.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.catalog.DatasetDescriptor;
import org.fedcxr.config.JobFailure;

/**
 * Reads a dataset's CSV label table into rows of (image_key, patient_id, view, labels, label_error, label_detail).
 * {@code labels} is multi-hot in the catalog's label order; NaN marks a label the source does not give (a CheXpert
 * label under the {@code ignore} policy, or an NIH label CheXpert has no column for). A row whose labels cannot be
 * read keeps its key and carries the reason instead, so the image it names is quarantined with that reason.
 */
public final class LabelTable implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern CHEXPERT_PATIENT = Pattern.compile("(patient\\d+)");

  /** The schema of the parsed label table. */
  public static final StructType SCHEMA = new StructType()
      .add("image_key", DataTypes.StringType, false)
      .add("patient_id", DataTypes.StringType, true)
      .add("view", DataTypes.StringType, true)
      .add("labels", DataTypes.createArrayType(DataTypes.FloatType, false), true)
      .add("label_error", DataTypes.StringType, true)
      .add("label_detail", DataTypes.StringType, true);

  private final DatasetDescriptor dataset;
  private final String uncertainPolicy;

  public LabelTable(DatasetDescriptor dataset, String uncertainPolicy) {
    this.dataset = dataset;
    this.uncertainPolicy = uncertainPolicy;
  }

  /** Reads and parses the label table; fails naming the file when it is missing or lacks a needed column. */
  public Dataset<Row> read(SparkSession spark) {
    Dataset<Row> csv;
    try {
      Path path = new Path(dataset.labelTable());
      if (!path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
        throw new JobFailure("the label table " + dataset.labelTable() + " of dataset '" + dataset.name()
            + "' does not exist");
      }
      csv = spark.read().option("header", "true").option("mode", "PERMISSIVE").csv(dataset.labelTable());
    } catch (JobFailure e) {
      throw e;
    } catch (Exception e) {
      throw new JobFailure("cannot read the label table " + dataset.labelTable() + " of dataset '" + dataset.name()
          + "': " + e.getMessage(), e);
    }
    List<String> needed = dataset.format().equals("nih")
        ? List.of("Image Index", "Finding Labels", "Patient ID", "View Position")
        : new ArrayList<>(dataset.labelMap().keySet());
    if (!dataset.format().equals("nih")) {
      needed.add(0, "Path");
    }
    List<String> columns = Arrays.asList(csv.columns());
    for (String c : needed) {
      if (!columns.contains(c)) {
        throw new JobFailure("label table " + dataset.labelTable() + " has no column '" + c + "' (columns: "
            + String.join(", ", columns) + ")");
      }
    }
    Dataset<Row> selected = csv.selectExpr(columns.stream().filter(needed::contains).map(c -> "`" + c + "`")
        .toArray(String[]::new));
    String[] names = selected.columns();
    MapFunction<Row, Row> parse = dataset.format().equals("nih") ? this::parseNih : r -> parseChexpert(r, names);
    return selected.map(parse, Encoders.row(SCHEMA));
  }

  Row parseNih(Row r) {
    String key = r.getAs("Image Index");
    String patient = r.getAs("Patient ID");
    String view = r.getAs("View Position");
    String findings = r.getAs("Finding Labels");
    if (patient == null || patient.isBlank()) {
      return error(key, Reason.BAD_LABEL_ROW, "no Patient ID in the label row");
    }
    if (findings == null || findings.isBlank()) {
      return error(key, Reason.UNKNOWN_LABEL, "empty Finding Labels");
    }
    float[] labels = new float[dataset.labels().size()];
    for (String raw : findings.split("\\|")) {
      String name = raw.trim();
      int i = dataset.labels().indexOf(name);
      if (i >= 0) {
        labels[i] = 1f;
      } else if (!name.equals(dataset.noFinding())) {
        return error(key, Reason.UNKNOWN_LABEL, "label '" + name + "' is not in the labels of dataset '"
            + dataset.name() + "' (" + dataset.source() + ")");
      }
    }
    return RowFactory.create(key, patient.trim(), view, boxed(labels), null, null);
  }

  Row parseChexpert(Row r, String[] names) {
    String key = r.getAs("Path");
    Matcher m = CHEXPERT_PATIENT.matcher(key == null ? "" : key);
    if (!m.find()) {
      return error(key, Reason.BAD_LABEL_ROW, "no patientNNNNN in Path");
    }
    float[] labels = new float[dataset.labels().size()];
    Arrays.fill(labels, Float.NaN);
    for (Map.Entry<String, String> e : dataset.labelMap().entrySet()) {
      String raw = r.getAs(e.getKey());
      Float v = chexpertValue(raw);
      if (v == null) {
        return error(key, Reason.UNKNOWN_LABEL, "column '" + e.getKey() + "' has value '" + raw
            + "', expected 1, 0, -1 or blank");
      }
      labels[dataset.labels().indexOf(e.getValue())] = v;
    }
    String view = Arrays.asList(names).contains("AP/PA") ? r.getAs("AP/PA") : null;
    return RowFactory.create(key, m.group(1), view, boxed(labels), null, null);
  }

  private Float chexpertValue(String raw) {
    if (raw == null || raw.isBlank()) {
      return 0f;
    }
    double d;
    try {
      d = Double.parseDouble(raw.trim());
    } catch (NumberFormatException e) {
      return null;
    }
    if (d == 1.0 || d == 0.0) {
      return (float) d;
    }
    if (d == -1.0) {
      return switch (uncertainPolicy) {
        case "ones" -> 1f;
        case "zeros" -> 0f;
        default -> Float.NaN;
      };
    }
    return null;
  }

  private static Row error(String key, Reason reason, String detail) {
    return RowFactory.create(key == null ? "" : key, null, null, null, reason.code(), detail);
  }

  private static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
