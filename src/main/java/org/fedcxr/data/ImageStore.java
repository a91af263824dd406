package org.fedcxr.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.substring;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.fedcxr.config.JobFailure;

/**
 * A folder of X-ray images with no label table (file:, hdfs://, s3a://; files matching a glob, searched
 * recursively): read with Spark's {@code binaryFile} source and decoded and resized on the executors by the same
 * {@link ImageDecoder} and {@link Resampler} as {@code ingest}, bad files quarantined with the same {@link Reason}s.
 * An image's id is its path below the store's root. What {@code predict} scores and {@code pretrain} can learn from.
 */
public final class ImageStore {
  /** The columns of a decoded image: id, source path, size and 8-bit gray pixels. */
  public static final StructType IMAGES = new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("source_path", DataTypes.StringType, false)
      .add("height", DataTypes.IntegerType, false)
      .add("width", DataTypes.IntegerType, false)
      .add("pixels", DataTypes.BinaryType, false);

  private static final StructType ROW = new StructType()
      .add("image_id", DataTypes.StringType, true)
      .add("source_path", DataTypes.StringType, false)
      .add("height", DataTypes.IntegerType, true)
      .add("width", DataTypes.IntegerType, true)
      .add("pixels", DataTypes.BinaryType, true)
      .add("reason", DataTypes.StringType, true)
      .add("detail", DataTypes.StringType, true);

  /** Where the images are and how they are decoded: the side length out, and the accepted source sizes. */
  public record Settings(String location, String glob, int size, int minSide, int maxSide) implements Serializable {
  }

  /**
   * Every file as one row, accepted (reason null) or quarantined with a reason; persisted, so {@link #images()} and
   * {@link #quarantine()} do not decode twice.
   */
  public record Result(Dataset<Row> all) {
    public Dataset<Row> images() {
      return all.filter(col("reason").isNull()).select("image_id", "source_path", "height", "width", "pixels");
    }

    public Dataset<Row> quarantine() {
      return all.filter(col("reason").isNotNull()).select("source_path", "reason", "detail");
    }
  }

  private ImageStore() {
  }

  /** Lists, decodes and resizes the store's images. */
  public static Result read(SparkSession spark, Settings s) {
    String root = qualifiedDirectory(spark, s.location(), "image store");
    Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
        .option("pathGlobFilter", s.glob()).load(root);
    Dataset<Row> listed = listedPaths(spark, files);
    Dataset<Row> decoded = files.select(col("path"), col("content"),
            substring(col("path"), root.length() + 2, Integer.MAX_VALUE).as("image_id"))
        .mapPartitions(new Decode(s), Encoders.row(ROW));
    Dataset<Row> all = decoded.unionByName(zeroByteFiles(listed, files).map(
            (MapFunction<Row, Row>) r -> rejected(r.getString(0), Reason.EMPTY.code(), "zero-byte file"),
            Encoders.row(ROW)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    return new Result(all);
  }

  /**
   * The fully qualified form of a directory, without a trailing slash; a clear failure when it does not exist, is
   * not a directory or cannot be reached ({@code what} names it in the message).
   */
  static String qualifiedDirectory(SparkSession spark, String location, String what) {
    try {
      Path p = new Path(location);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.getFileStatus(p).isDirectory()) {
        throw new JobFailure(what + " " + location + " is not a directory");
      }
      return fs.makeQualified(p).toString().replaceAll("/+$", "");
    } catch (FileNotFoundException e) {
      throw new JobFailure(what + " " + location + " does not exist", e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof JobFailure f) {
        throw f;
      }
      throw new JobFailure("cannot reach the " + what + " " + location + ": " + e, e);
    }
  }

  /** Every file the source listed (only paths reach the driver), in the form of the scan's {@code path} column. */
  static Dataset<Row> listedPaths(SparkSession spark, Dataset<Row> files) {
    List<Row> listed = new ArrayList<>();
    for (String path : files.inputFiles()) {
      listed.add(RowFactory.create(new Path(URI.create(path)).toString()));
    }
    return spark.createDataFrame(listed, new StructType().add("path", DataTypes.StringType, false));
  }

  /** The file scan skips zero-byte files: the listed paths that produced no row (one {@code path} column). */
  static Dataset<Row> zeroByteFiles(Dataset<Row> listed, Dataset<Row> files) {
    return listed.join(files.select("path"), listed.col("path").equalTo(files.col("path")), "left_anti")
        .select(listed.col("path"));
  }

  private static Row rejected(String path, String reason, String detail) {
    return RowFactory.create(null, path, null, null, null, reason, detail);
  }

  /** Decodes and resizes one partition of files. */
  private static final class Decode extends DecodingFunction {
    private static final long serialVersionUID = 1L;
    private final int size;

    Decode(Settings s) {
      super(s.minSide(), s.maxSide());
      this.size = s.size();
    }

    @Override
    Row convert(Row r, ImageDecoder decoder) {
      String path = r.getString(0);
      Decoded d = decoder.decode(r.getAs("content"));
      if (!d.isOk()) {
        return rejected(path, d.reason().code(), d.detail());
      }
      GrayImage img = Resampler.resize(d.image(), size, size);
      return RowFactory.create(r.getString(2), path, img.height(), img.width(), img.pixels(), null, null);
    }
  }
}
