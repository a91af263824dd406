package org.fedcxr.data;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.fedcxr.catalog.DatasetDescriptor;
import org.fedcxr.config.HadoopFiles;
import org.fedcxr.config.JobFailure;

/**
 * The ingest pipeline: reads image files with Spark's {@code binaryFile} source, matches them to the label table
 * (broadcast, so image bytes are never shuffled), decodes and resizes them on the executors, assigns the patient
 * split, and separates accepted images from quarantined inputs. Nothing is dropped without a reason.
 */
public final class Ingestor {
  /** What the ingest reads and how: the image location and glob may override the descriptor's. */
  public record Settings(DatasetDescriptor dataset, String images, String glob, int size, int minSide, int maxSide,
      String uncertainPolicy, PatientSplit split) implements Serializable {
  }

  /**
   * The outcome: every input file as one row with either an accepted image or a reason (persisted: read it as
   * {@link #images()} and {@link #quarantine()} without decoding twice), the label rows that matched no file, and
   * how many images an official test list named (0 without one).
   */
  public record Result(Dataset<Row> all, List<String> labelNames, long labelRows, long labelRowsWithoutImage,
      int officialTestListed) {
    public Dataset<Row> images() {
      Dataset<Row> ok = all.filter(col("reason").isNull());
      List<Column> cols = new ArrayList<>();
      for (String c : ImagesTable.COLUMNS) {
        cols.add(c.equals("labels") ? ImagesTable.labelsWithNames(ok, labelNames) : ok.col(c));
      }
      return ok.select(cols.toArray(Column[]::new));
    }

    public Dataset<Row> quarantine() {
      return all.filter(col("reason").isNotNull()).select("source_path", "reason", "detail");
    }
  }

  private static final StructType ROW = nullable(new StructType(ImagesTable.SCHEMA.fields())
      .add("reason", DataTypes.StringType, true)
      .add("detail", DataTypes.StringType, true));

  private Ingestor() {
  }

  public static Result run(SparkSession spark, Settings s) {
    String images = ImageStore.qualifiedDirectory(spark, s.images(), "images location of dataset '"
        + s.dataset().name() + "':");
    Dataset<Row> files = spark.read().format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", s.glob())
        .load(images);
    Dataset<Row> listed = withKey(ImageStore.listedPaths(spark, files), s, images);
    files = withKey(files, s, images);

    Dataset<Row> labels = new LabelTable(s.dataset(), s.uncertainPolicy()).read(spark).dropDuplicates("image_key");
    OfficialTest official = s.dataset().testList() == null ? null : OfficialTest.read(spark, s.dataset().testList(),
        labels);
    Dataset<Row> listedKeys = listed.select(col("image_key").as("listed_key")).distinct();
    Row counts = labels.join(listedKeys, col("image_key").equalTo(col("listed_key")), "left")
        .agg(count(lit(1)), sum(when(col("listed_key").isNull(), 1L).otherwise(0L))).first();
    long labelRows = counts.getLong(0);
    long withoutImage = counts.isNullAt(1) ? 0 : counts.getLong(1);

    Dataset<Row> keyed = labels.withColumnRenamed("image_key", "label_key");
    Dataset<Row> joined = files.select(col("path"), col("content"), col("image_key"))
        .join(broadcast(keyed), col("image_key").equalTo(col("label_key")), "left")
        .withColumn("has_label_row", col("label_key").isNotNull());
    Dataset<Row> all = joined.mapPartitions(new Decode(s, official), Encoders.row(ROW))
        .unionByName(zeroByteFiles(listed, files))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Result(all, s.dataset().labels(), labelRows, withoutImage, official == null ? 0
        : official.images().size());
  }

  /** The key that matches a file to its label row: the file name (nih), or the path below the image root. */
  private static Dataset<Row> withKey(Dataset<Row> df, Settings s, String images) {
    return df.withColumn("image_key", s.dataset().keyedByFileName()
        ? regexp_extract(col("path"), "[^/]+$", 0)
        : substring(col("path"), images.length() + 2, Integer.MAX_VALUE));
  }

  /** The file scan skips zero-byte files; they are the listed files that produced no row, quarantined here. */
  private static Dataset<Row> zeroByteFiles(Dataset<Row> listed, Dataset<Row> files) {
    return ImageStore.zeroByteFiles(listed, files).map((MapFunction<Row, Row>) r ->
        Decode.rejected(r.getString(0), Reason.EMPTY.code(), "zero-byte file"), Encoders.row(ROW));
  }

  private static StructType nullable(StructType t) {
    StructType out = new StructType();
    for (var f : t.fields()) {
      out = out.add(f.name(), f.dataType(), true);
    }
    return out;
  }

  /**
   * An official test set (NIH's {@code test_list.txt}): the listed image keys, and the patients of those images
   * (from the label table), whose unlisted images would leak a test patient into training.
   */
  record OfficialTest(String file, Set<String> images, Set<String> patients) implements Serializable {
    static OfficialTest read(SparkSession spark, String file, Dataset<Row> labels) {
      Set<String> listed = new HashSet<>();
      try {
        byte[] text = HadoopFiles.readAll(new Path(file), spark.sparkContext().hadoopConfiguration());
        for (String line : new String(text, StandardCharsets.UTF_8).split("\r?\n")) {
          if (!line.isBlank()) {
            listed.add(line.trim());
          }
        }
      } catch (IOException e) {
        throw new JobFailure("cannot read the official test list " + file + ": " + e, e);
      }
      Dataset<Row> names = spark.createDataset(new ArrayList<>(listed), Encoders.STRING()).toDF("listed");
      Set<String> patients = new HashSet<>();
      for (Row r : labels.join(names, col("image_key").equalTo(col("listed"))).select("patient_id").distinct()
          .collectAsList()) {
        patients.add(r.getString(0));
      }
      return new OfficialTest(file, listed, patients);
    }
  }

  /** Decodes, resizes and splits one partition of (file, label row) pairs. */
  private static final class Decode extends DecodingFunction {
    private static final long serialVersionUID = 1L;
    private final Settings s;
    private final OfficialTest official;
    private final PatientSplit nonTest;

    Decode(Settings s, OfficialTest official) {
      super(s.minSide(), s.maxSide());
      this.s = s;
      this.official = official;
      this.nonTest = official == null ? null : s.split().withoutTest();
    }

    @Override
    Row convert(Row r, ImageDecoder decoder) {
      String path = r.getAs("path");
      String key = r.getAs("image_key");
      if (!(Boolean) r.getAs("has_label_row")) {
        return rejected(path, Reason.NO_LABEL_ROW.code(), "no row for '" + key + "' in "
            + s.dataset().labelTable());
      }
      if (r.getAs("label_error") != null) {
        return rejected(path, r.getAs("label_error"), r.getAs("label_detail"));
      }
      String patient = r.getAs("patient_id");
      String split = s.split().of(patient);
      if (official != null) {
        if (official.images().contains(key)) {
          split = PatientSplit.TEST;
        } else if (official.patients().contains(patient)) {
          return rejected(path, Reason.SPLIT_CONFLICT.code(), "patient " + patient + " has images in the official "
              + "test list " + official.file() + " but this one is not listed: left out so no test patient trains");
        } else {
          split = nonTest.of(patient);
        }
      }
      Decoded d = decoder.decode(r.getAs("content"));
      if (!d.isOk()) {
        return rejected(path, d.reason().code(), d.detail());
      }
      GrayImage img = Resampler.resize(d.image(), s.size(), s.size());
      return RowFactory.create(key, patient, r.getAs("view"), split,
          r.getList(r.fieldIndex("labels")).toArray(), img.height(), img.width(), img.pixels(), path, null, null);
    }

    static Row rejected(String path, String reason, String detail) {
      return RowFactory.create(null, null, null, null, null, null, null, null, path, reason, detail);
    }
  }
}
