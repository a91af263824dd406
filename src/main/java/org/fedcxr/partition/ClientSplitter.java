package org.fedcxr.partition;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.udf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.config.Seeds;
import org.fedcxr.data.ImagesTable;
import scala.collection.Seq;

/**
 * Divides the client pool of an images table into clients. Only per-patient summaries reach the driver (a patient's
 * id, image count and class); the assignment goes back to the executors as a broadcast join, so image bytes never
 * leave them. An image's class is its rarest positive label (by count in the client pool), or "No Finding" (ranked
 * last) when it has none; a patient's class is the rarest class among their images.
 */
public final class ClientSplitter {
  /** The outcome: the client rows (images table columns plus {@code client_id}) and the draw that made them. */
  public record Result(Dataset<Row> clients, ClientAssignment assignment) {
  }

  private final ClientPartitioner partitioner;
  private final double fraction;
  private final long seed;

  public ClientSplitter(ClientPartitioner partitioner, double fraction, long seed) {
    this.partitioner = partitioner;
    this.fraction = fraction;
    this.seed = seed;
  }

  public Result split(SparkSession spark, Dataset<Row> images, int labelCount) {
    Dataset<Row> pool = images.filter(col("split").equalTo("client"));
    int[] rank = rarityRank(pool, labelCount);
    UDF1<Seq<Float>, Integer> classOf = labels -> imageClass(labels, rank);
    List<Row> perPatient = pool
        .withColumn("class_rank", udf(classOf, DataTypes.IntegerType).apply(col("labels")))
        .groupBy("patient_id")
        .agg(count(lit(1)).as("n"), min("class_rank").as("class_rank"))
        .orderBy("patient_id")
        .collectAsList();
    List<PatientGroup> patients = new ArrayList<>();
    for (Row r : perPatient) {
      patients.add(new PatientGroup(r.getString(0), (int) r.getLong(1), r.getInt(2)));
    }
    ClientAssignment assignment = partitioner.assign(patients);

    List<Row> mapping = new ArrayList<>();
    for (Map.Entry<String, Integer> e : assignment.clientOfPatient().entrySet()) {
      mapping.add(RowFactory.create(e.getKey(), e.getValue()));
    }
    StructType mapSchema = new StructType().add("patient_key", DataTypes.StringType, false)
        .add("client_id", DataTypes.IntegerType, false);
    Dataset<Row> map = spark.createDataFrame(mapping, mapSchema);
    Dataset<Row> assigned = pool.join(broadcast(map), col("patient_id").equalTo(col("patient_key")))
        .drop("patient_key");
    return new Result(keepFraction(assigned), assignment);
  }

  /** Keeps the first ceil(fraction * n) images (at least one) of each client in a seeded order; nested in fraction. */
  private Dataset<Row> keepFraction(Dataset<Row> assigned) {
    if (fraction >= 1.0) {
      return assigned;
    }
    long s = seed;
    UDF2<String, Integer, Double> order = (imageId, client) ->
        Seeds.uniform(s, "fraction", Integer.toString(client), imageId);
    var byClient = Window.partitionBy("client_id");
    return assigned
        .withColumn("_order", udf(order, DataTypes.DoubleType).apply(col("image_id"), col("client_id")))
        .withColumn("_rank", row_number().over(byClient.orderBy(col("_order"), col("image_id"))))
        .withColumn("_n", count(lit(1)).over(byClient))
        .filter(col("_rank").leq(greatest(lit(1), ceil(col("_n").multiply(fraction)))))
        .drop("_order", "_rank", "_n");
  }

  /** Per-client counts of images, patients, positives per label and no-finding images. */
  public static List<ClientStats> stats(Dataset<Row> clients, int labelCount, int[] drawnSizes) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(countDistinct("patient_id").as("patients"));
    aggs.addAll(ImagesTable.positiveCounts(labelCount));
    List<Row> rows = clients.groupBy("client_id").agg(count(lit(1)).as("images"), aggs.toArray(Column[]::new))
        .orderBy("client_id").collectAsList();
    List<ClientStats> out = new ArrayList<>();
    for (Row r : rows) {
      long[] pos = new long[labelCount];
      for (int i = 0; i < labelCount; i++) {
        pos[i] = r.getLong(r.fieldIndex("positives_" + i));
      }
      int id = r.getInt(0);
      out.add(new ClientStats(id, r.getLong(1), r.getLong(2), pos, r.getLong(r.fieldIndex("no_finding")),
          drawnSizes.length > id ? drawnSizes[id] : -1));
    }
    out.sort(Comparator.comparingInt(ClientStats::clientId));
    return out;
  }

  /** Rank of each label by rarity in the pool (0 = fewest positives); "No Finding" gets rank labelCount. */
  private static int[] rarityRank(Dataset<Row> pool, int labelCount) {
    List<Column> sums = ImagesTable.positiveCounts(labelCount);
    Row totals = pool.agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first();
    Integer[] order = new Integer[labelCount];
    long[] counts = new long[labelCount];
    for (int i = 0; i < labelCount; i++) {
      order[i] = i;
      counts[i] = totals.isNullAt(i) ? 0 : totals.getLong(i);
    }
    Arrays.sort(order, Comparator.comparingLong((Integer i) -> counts[i]).thenComparing(i -> i));
    int[] rank = new int[labelCount];
    for (int r = 0; r < labelCount; r++) {
      rank[order[r]] = r;
    }
    return rank;
  }

  private static int imageClass(Seq<Float> labels, int[] rank) {
    int best = rank.length;
    for (int i = 0; i < rank.length; i++) {
      Float v = labels.apply(i);
      if (v != null && v == 1f && rank[i] < best) {
        best = rank[i];
      }
    }
    return best;
  }
}
