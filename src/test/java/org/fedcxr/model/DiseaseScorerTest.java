package org.fedcxr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.data.Resampler;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiseaseScorerTest {
  static SparkSession spark;
  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    spark = SparkTests.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void addsProbabilitiesEqualToTheModelsOwnOutput() throws Exception {
    Path weights = dir.resolve("small.safetensors");
    List<Row> rows = new ArrayList<>();
    float[] x = new float[10 * 32 * 32];
    for (int i = 0; i < 10; i++) {
      byte[] px = Resampler.resize(SyntheticXrays.sample(i, 64, 1, 9).image(), 32, 32).pixels();
      Pixels.normalise(px, x, i * 32 * 32);
      rows.add(RowFactory.create("img" + i, 32, 32, px));
    }
    writeSmallClassifier(weights);
    float[] direct = Inference.cached("direct-" + weights, Architecture.SMALL, 14, Files.readAllBytes(weights))
        .probabilities(x, 10, 32, 32);
    StructType schema = new StructType().add("image_id", DataTypes.StringType).add("height", DataTypes.IntegerType)
        .add("width", DataTypes.IntegerType).add("pixels", DataTypes.BinaryType);
    Dataset<Row> images = spark.createDataFrame(rows, schema).repartition(3);
    DiseaseScorer scorer = DiseaseScorer.fromWeights(spark, weights.toUri().toString(), Architecture.SMALL, 14, 4);
    List<Row> scored = scorer.transform(images).orderBy("image_id").collectAsList();
    assertEquals(10, scored.size());
    for (Row r : scored) {
      int i = Integer.parseInt(r.getString(0).substring(3));
      List<Float> p = r.getList(4);
      assertEquals(14, p.size());
      float[] expected = Arrays.copyOfRange(direct, i * 14, i * 14 + 14);
      float[] actual = new float[14];
      for (int k = 0; k < 14; k++) {
        actual[k] = p.get(k);
        assertTrue(actual[k] > 0 && actual[k] < 1);
      }
      assertArrayEquals(expected, actual, 1e-5f);
    }
  }

  @Test
  void aFrameWithoutPixelsOrMissingWeightsIsAClearError() throws Exception {
    Path weights = dir.resolve("untrained.safetensors");
    writeSmallClassifier(weights);
    DiseaseScorer scorer = DiseaseScorer.fromWeights(spark, weights.toUri().toString(), Architecture.SMALL, 14, 4);
    StructType noPixels = new StructType().add("image_id", DataTypes.StringType)
        .add("height", DataTypes.IntegerType).add("width", DataTypes.IntegerType);
    Dataset<Row> frame = spark.createDataFrame(List.of(RowFactory.create("img0", 32, 32)), noPixels);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scorer.transform(frame));
    assertEquals("input has no column 'pixels' (an images table is needed)", e.getMessage());

    String missing = dir.resolve("none.safetensors").toUri().toString();
    e = assertThrows(IllegalArgumentException.class, () -> DiseaseScorer.fromWeights(spark, missing,
        Architecture.SMALL, 14, 4));
    assertTrue(e.getMessage().startsWith("cannot read model weights " + missing), e.getMessage());
  }

  private static void writeSmallClassifier(Path weights) throws IOException {
    try (NDManager m = NDManager.newBaseManager(); OutputStream out = Files.newOutputStream(weights)) {
      Classifier c = Classifier.of(Architecture.SMALL, 14);
      c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
      Weights.save(c, "small", Map.of(), out);
    }
  }
}
