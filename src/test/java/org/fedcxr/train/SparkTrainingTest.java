package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.model.Architecture;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.testing.TrainingData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training inside Spark tasks, on the rows of a partition: what each simulated client will do. */
class SparkTrainingTest {
  static SparkSession spark;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTests.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Trains on one partition's rows and returns the weights as one row. */
  record TrainPartition(TrainConfig config) implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      try (LocalShard shard = LocalShard.spool(LabelledImage.fromRows(rows),
          Path.of(System.getProperty("java.io.tmpdir")))) {
        LocalTrainer.Result r = new LocalTrainer(Architecture.SMALL, 14, config).train(null, shard, 11,
            Devices.forCurrentTask());
        Float[] w = new Float[r.weights().length];
        for (int i = 0; i < w.length; i++) {
          w[i] = r.weights()[i];
        }
        return List.of(RowFactory.create((Object) w)).iterator();
      }
    }
  }

  /**
   * Inside a task the trainer uses the executor's cores (local mode: the machine's), so the comparison trains alone
   * with as many threads: determinism holds at a given thread count.
   */
  @Test
  void twoConcurrentTasksTrainOnTheirPartitionsAsTheyWouldAlone() {
    List<LabelledImage> images = TrainingData.images(64, 32);
    List<Row> rows = new ArrayList<>();
    for (LabelledImage img : images) {
      Float[] labels = new Float[14];
      for (int k = 0; k < 14; k++) {
        labels[k] = img.labels()[k];
      }
      rows.add(RowFactory.create(img.imageId(), img.height(), img.width(), img.pixels(), labels));
    }
    StructType schema = new StructType().add("image_id", DataTypes.StringType).add("height", DataTypes.IntegerType)
        .add("width", DataTypes.IntegerType).add("pixels", DataTypes.BinaryType)
        .add("labels", DataTypes.createArrayType(DataTypes.FloatType));
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(2);
    StructType out = new StructType().add("weights", DataTypes.createArrayType(DataTypes.FloatType));
    List<Row> results = df.mapPartitions(new TrainPartition(LocalTrainerTest.CONFIG), Encoders.row(out))
        .collectAsList();
    assertEquals(2, results.size());

    List<List<LabelledImage>> parts = new ArrayList<>();
    for (Row part : df.javaRDD().glom().collect().stream().map(l -> RowFactory.create(l)).toList()) {
      List<LabelledImage> p = new ArrayList<>();
      LabelledImage.fromRows(((List<Row>) part.get(0)).iterator()).forEachRemaining(p::add);
      parts.add(p);
    }
    for (int i = 0; i < 2; i++) {
      try (LocalShard shard = LocalShard.spool(parts.get(i).iterator(), tmp)) {
        TrainConfig sameThreads = TrainConfig.builder().setBatchSize(16).setEpochs(2).optClassWeighted(true)
            .optThreads(Runtime.getRuntime().availableProcessors()).build();
        float[] alone = new LocalTrainer(Architecture.SMALL, 14, sameThreads).train(null, shard, 11, Device.cpu())
            .weights();
        List<Float> w = results.get(i).getList(0);
        float[] inSpark = new float[w.size()];
        for (int k = 0; k < inSpark.length; k++) {
          inSpark[k] = w.get(k);
        }
        assertArrayEquals(alone, inSpark, "partition " + i);
      }
    }
  }
}
