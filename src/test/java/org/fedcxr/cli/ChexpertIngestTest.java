package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.testing.TestCatalog;
import org.fedcxr.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** A CheXpert-layout dataset (JPEGs in patient/study folders, one column per observation). */
class ChexpertIngestTest {
  static SparkSession spark;
  @TempDir
  static Path dir;
  static Path catalog;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SparkTests.start();
    Path root = dir.resolve("chexpert");
    String header = "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Cardiomegaly,Pleural Effusion,Pneumonia,"
        + "Lung Opacity\n";
    StringBuilder csv = new StringBuilder(header);
    String[] rows = {
        "patient00001/study1/view1_frontal.jpg,Female,68,Frontal,AP,,1.0,-1.0,,1.0",
        "patient00001/study2/view1_frontal.jpg,Female,68,Frontal,AP,1.0,0.0,0.0,,",
        "patient00002/study1/view1_frontal.jpg,Male,40,Frontal,PA,,-1.0,1.0,0.0,",
        "patient00003/study1/view1_frontal.jpg,Male,33,Frontal,PA,,2.0,,,"};
    for (String r : rows) {
      String path = "CheXpert-v1.0-small/train/" + r.substring(0, r.indexOf(','));
      TestImages.write(root.resolve(path), TestImages.jpeg(96, 80));
      csv.append("CheXpert-v1.0-small/train/").append(r).append('\n');
    }
    Files.createDirectories(root.resolve("CheXpert-v1.0-small"));
    Files.writeString(root.resolve("CheXpert-v1.0-small/train.csv"), csv.toString());
    catalog = TestCatalog.write(dir.resolve("catalog"), "chexpert", "format: chexpert\nlocation: " + root
        + "\nimages: .\nlabel_table: CheXpert-v1.0-small/train.csv\nglob: \"*.jpg\"\nlabels: "
        + TestCatalog.NIH_LABELS + "\nlabel_map: {Cardiomegaly: Cardiomegaly, Pleural Effusion: Effusion, "
        + "Pneumonia: Pneumonia}\n");
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @ParameterizedTest
  @CsvSource({"ones,1.0", "zeros,0.0", "ignore,NaN"})
  void uncertainLabelsFollowThePolicyAndUnmappedLabelsAreUnknown(String policy, float uncertain) {
    Path out = dir.resolve("out-" + policy);
    Map<?, ?> results = (Map<?, ?>) IngestJob.execute(spark, JobSpecs.schema("ingest").load(null, List.of(
        "dataset=chexpert", "catalog=" + catalog, "output=" + out, "image_size=64", "min_source_px=32",
        "uncertain_policy=" + policy)), false).get("results");
    assertEquals(3L, results.get("images_ingested"));
    Map<String, List<Float>> labels = spark.read().parquet(out + "/images").collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), ChexpertIngestTest::labels));
    List<Float> first = labels.get("CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg");
    assertEquals(1f, first.get(1), "Cardiomegaly");
    assertEquals(uncertain, first.get(2), "Pleural Effusion -> Effusion, uncertain");
    assertEquals(0f, first.get(6), "blank Pneumonia is negative");
    assertTrue(Float.isNaN(first.get(0)), "Atelectasis is not mapped: unknown");
    Row q = spark.read().parquet(out + "/quarantine").first();
    assertTrue(q.getString(0).endsWith("patient00003/study1/view1_frontal.jpg"));
    assertEquals("unknown_label", q.getString(1));
    assertTrue(q.getString(2).contains("'2.0'"), q.getString(2));
    assertEquals(List.of("patient00001", "patient00002"), spark.read().parquet(out + "/images")
        .select("patient_id").distinct().orderBy("patient_id").collectAsList().stream().map(r -> r.getString(0))
        .toList());
  }

  private static List<Float> labels(Row r) {
    return CollectionConverters.asJava(r.<Seq<Float>>getAs("labels"));
  }
}
