package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionJobTest {
  static SparkSession spark;
  @TempDir
  static Path dir;
  static Path ingested;

  @BeforeAll
  static void setUp() {
    spark = SparkTests.start();
    ingested = SyntheticIngest.ingest(spark, dir, 600, 3, 11, 0.2, 0.6, 0.2);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Map<String, Object> partition(String out, String... sets) {
    List<String> all = new ArrayList<>(List.of("input=" + ingested, "output=" + dir.resolve(out)));
    all.addAll(List.of(sets));
    return PartitionJob.execute(spark, JobSpecs.schema("partition").load(null, all));
  }

  static Map<String, Integer> clientOf(String out) {
    return spark.read().parquet(dir.resolve(out) + "/clients").select("image_id", "client_id").collectAsList()
        .stream().collect(Collectors.toMap(r -> r.getString(0), r -> r.getInt(1)));
  }

  @Test
  void everyClientPoolImageInExactlyOneClientAndPatientsNeverSplit() throws IOException {
    partition("p-noniid");
    Dataset<Row> pool = spark.read().parquet(ingested + "/images").filter("split = 'client'");
    Dataset<Row> clients = spark.read().parquet(dir.resolve("p-noniid") + "/clients");
    assertEquals(pool.count(), clients.count());
    assertEquals(pool.count(), clients.select("image_id").distinct().count());
    assertEquals(0, clients.groupBy("patient_id").agg(org.apache.spark.sql.functions.countDistinct("client_id")
        .as("n")).filter("n > 1").count(), "a patient split across clients");
    assertEquals(0, clients.filter("split != 'client'").count());
    assertEquals(10, clients.select("client_id").distinct().count());

    List<String> csv = Files.readAllLines(dir.resolve("p-noniid/client_label_counts.csv"));
    assertEquals(11, csv.size());
    long sum = csv.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[1])).sum();
    assertEquals(pool.count(), sum);
    var png = ImageIO.read(dir.resolve("p-noniid/charts/clients.png").toFile());
    assertTrue(png.getWidth() >= 900);
    assertTrue(Files.readString(dir.resolve("p-noniid/_SUMMARY.json")).contains("\"drawn_size\""));
  }

  @Test
  void sameSeedSameAssignmentOtherSeedOther() {
    partition("p-a", "strategy=dirichlet");
    partition("p-b", "strategy=dirichlet");
    partition("p-c", "strategy=dirichlet", "seed=99");
    assertEquals(clientOf("p-a"), clientOf("p-b"));
    assertNotEquals(clientOf("p-a"), clientOf("p-c"));
  }

  @Test
  void fractionsAreNestedAndKeepAtLeastOneImagePerClient() {
    double[] fractions = {1.0, 0.5, 0.25, 0.1, 0.05, 0.01};
    Map<Double, Map<String, Integer>> kept = new HashMap<>();
    for (double f : fractions) {
      partition("f-" + f, "fraction=" + f);
      kept.put(f, clientOf("f-" + f));
    }
    Map<Integer, Long> full = kept.get(1.0).values().stream()
        .collect(Collectors.groupingBy(c -> c, Collectors.counting()));
    for (int i = 1; i < fractions.length; i++) {
      Map<String, Integer> smaller = kept.get(fractions[i]);
      Map<String, Integer> larger = kept.get(fractions[i - 1]);
      for (Map.Entry<String, Integer> e : smaller.entrySet()) {
        assertEquals(e.getValue(), larger.get(e.getKey()), fractions[i] + " not inside " + fractions[i - 1]);
      }
      Map<Integer, Long> perClient = smaller.values().stream()
          .collect(Collectors.groupingBy(c -> c, Collectors.counting()));
      for (Map.Entry<Integer, Long> c : full.entrySet()) {
        long expected = Math.max(1, (long) Math.ceil(c.getValue() * fractions[i]));
        assertEquals(expected, perClient.getOrDefault(c.getKey(), 0L), "client " + c.getKey() + " at "
            + fractions[i]);
      }
    }
    Set<Integer> clientsAtOnePercent = new HashSet<>(kept.get(0.01).values());
    assertEquals(10, clientsAtOnePercent.size());
  }

  @Test
  void anIncompleteInputIsAClearError() {
    JobFailure e = assertThrows(JobFailure.class, () -> PartitionJob.execute(spark, JobSpecs.schema("partition")
        .load(null, List.of("input=" + dir.resolve("nothing-here"), "output=" + dir.resolve("x")))));
    assertTrue(e.getMessage().contains("nothing-here") && e.getMessage().contains("run ingest first"));
  }
}
