package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImagesTable;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.testing.TestCatalog;
import org.fedcxr.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.Seq;

class IngestJobTest {
  static SparkSession spark;
  @TempDir
  static Path dir;
  static Path catalog;
  static final int GOOD = 40;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SparkTests.start();
    Path data = dir.resolve("messy");
    SyntheticXrays.write(data, GOOD, 96, 2, 5);
    Path images = data.resolve("images");
    StringBuilder rows = new StringBuilder();
    Map<String, byte[]> bad = new HashMap<>();
    bad.put("90000001_000.png", new byte[0]);
    bad.put("90000002_000.png", "this is a note, not an image".getBytes());
    bad.put("90000003_000.png", TestImages.truncate(TestImages.png(200, 200), 0.4));
    bad.put("90000004_000.png", TestImages.png(32, 32));
    bad.put("90000005_000.gif", TestImages.encode(TestImages.gradient(96, 96, BufferedImage.TYPE_BYTE_GRAY),
        "gif"));
    bad.put("90000006_000.png", TestImages.png(96, 96));
    bad.put("90000008_000.jpg", TestImages.truncate(TestImages.jpeg(200, 200), 0.5));
    bad.put("90000011_000.png", TestImages.corruptPng(96, 96));
    for (Map.Entry<String, byte[]> e : bad.entrySet()) {
      TestImages.write(images.resolve(e.getKey()), e.getValue());
      rows.append(e.getKey()).append(",Effusion,0,").append(e.getKey(), 0, 8).append(",050,M,PA,96,96,0.1,0.1\n");
    }
    TestImages.write(images.resolve("nested/90000007_000.png"), TestImages.png(96, 96));
    rows.append("90000007_000.png,Effusion|Dragon_Scales,0,90000007,050,M,PA,96,96,0.1,0.1\n");
    TestImages.write(images.resolve("90000009_000.png"), TestImages.png(96, 96));
    TestImages.write(images.resolve("90000012_000.png"), TestImages.png(96, 96));
    rows.append("90000012_000.png,Mass,0,,050,M,PA,96,96,0.1,0.1\n"); // no Patient ID
    for (int i = 0; i < 3; i++) {
      rows.append("8000000").append(i).append("_000.png,Mass,0,8000000").append(i).append(",050,M,PA,1,1,1,1\n");
    }
    TestImages.write(images.resolve("90000010_000.png"), TestImages.encode(TestImages.gradient(128, 128,
        BufferedImage.TYPE_USHORT_GRAY), "png"));
    rows.append("90000010_000.png,No Finding,0,90000010,050,M,PA,1,1,1,1\n");
    Files.writeString(data.resolve("Data_Entry_2017.csv"), rows.toString(),
        StandardOpenOption.APPEND);
    catalog = TestCatalog.nih(dir.resolve("catalog"), "messy", data);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Spec spec(String dataset, Path out, String... more) {
    List<String> sets = new ArrayList<>(List.of("dataset=" + dataset, "catalog=" + catalog,
        "output=" + out, "image_size=64"));
    sets.addAll(List.of(more));
    return JobSpecs.schema("ingest").load(null, sets);
  }

  @Test
  void badInputsAreQuarantinedWithTheirReasonAndGoodOnesIngested() {
    Path out = dir.resolve("out-messy");
    Map<String, Object> summary = IngestJob.execute(spark, spec("messy", out), false);
    Map<String, String> reasons = spark.read().parquet(out + "/quarantine").collectAsList().stream()
        .collect(Collectors.toMap(r -> Path.of(r.getString(0)).getFileName().toString(), r -> r.getString(1)));
    assertEquals(Map.of(
        "90000001_000.png", "empty",
        "90000002_000.png", "not_an_image",
        "90000003_000.png", "truncated",
        "90000004_000.png", "too_small",
        "90000005_000.gif", "unsupported_format",
        "90000007_000.png", "unknown_label",
        "90000008_000.jpg", "truncated",
        "90000009_000.png", "no_label_row",
        "90000011_000.png", "corrupt",
        "90000012_000.png", "bad_label_row"), reasons);

    Dataset<Row> images = spark.read().parquet(out + "/images");
    assertEquals(GOOD + 2, images.count(), "40 synthetic + the valid PNG + the 16-bit PNG");
    assertEquals(SyntheticXrays.LABELS, ImagesTable.labelNames(images));
    Row r = images.filter("image_id = '90000010_000.png'").first();
    assertEquals(64, r.<Integer>getAs("height"));
    assertEquals(64 * 64, r.<byte[]>getAs("pixels").length);
    assertEquals(0f, r.<Seq<Float>>getAs("labels").apply(0));

    Map<?, ?> results = (Map<?, ?>) summary.get("results");
    assertEquals(3L, results.get("label_rows_without_image"));
    assertEquals(10L, results.get("quarantined"));
    assertEquals((long) GOOD + 2, results.get("images_ingested"));
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertTrue(Files.exists(out.resolve("_SUMMARY.json")));
  }

  @Test
  void splitIsByPatientDeterministicAndSeeded() {
    Path a = dir.resolve("split-a");
    Path b = dir.resolve("split-b");
    Path c = dir.resolve("split-c");
    IngestJob.execute(spark, spec("messy", a), false);
    IngestJob.execute(spark, spec("messy", b), false);
    IngestJob.execute(spark, spec("messy", c, "seed=1234"), false);
    Map<String, String> splitA = splits(a);
    assertEquals(splitA, splits(b));
    assertNotEquals(splitA, splits(c));
    long mixed = spark.read().parquet(a + "/images").groupBy("patient_id")
        .agg(org.apache.spark.sql.functions.countDistinct("split").as("n")).filter("n > 1").count();
    assertEquals(0, mixed, "a patient in two splits");
  }

  @Test
  void theValidationSplitIsCarvedFromTheClientPoolAndDisjointByPatient() {
    Path plain = dir.resolve("split-plain");
    Path withVal = dir.resolve("split-val");
    IngestJob.execute(spark, spec("messy", plain, "split.server=0.3", "split.client=0.5", "split.test=0.2"), false);
    IngestJob.execute(spark, spec("messy", withVal, "split.server=0.3", "split.client=0.25", "split.val=0.25",
        "split.test=0.2"), false);
    Map<String, String> before = splits(plain);
    Map<String, String> after = splits(withVal);
    assertEquals(before.keySet(), after.keySet());
    long val = after.values().stream().filter("val"::equals).count();
    assertTrue(val > 0, "no image in the validation split: " + after);
    after.forEach((image, split) -> {
      String was = before.get(image);
      if (split.equals("val")) {
        assertEquals("client", was, image + " came into val from " + was);
      } else {
        assertEquals(was, split, image + ": only client images may move (to val)");
      }
    });
    long mixed = spark.read().parquet(withVal + "/images").groupBy("patient_id")
        .agg(org.apache.spark.sql.functions.countDistinct("split").as("n")).filter("n > 1").count();
    assertEquals(0, mixed, "a patient in two splits");
  }

  private static Map<String, String> splits(Path out) {
    return spark.read().parquet(out + "/images").select("image_id", "split").collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
  }

  @Test
  void ingestsTheBundledRealSampleAt224() throws IOException {
    Path out = dir.resolve("bundled");
    Spec s = JobSpecs.schema("ingest").load(null, List.of("dataset=nih-cxr14-bundled",
        "catalog=" + Path.of("data-catalog").toAbsolutePath(), "output=" + out, "image_size=224"));
    Map<?, ?> results = (Map<?, ?>) IngestJob.execute(spark, s, false).get("results");
    assertEquals(400L, results.get("images_ingested"));
    assertEquals(0L, results.get("quarantined"));
    assertEquals(12L, ((Map<?, ?>) results.get("images_per_label")).get("Hernia"));
    Dataset<Row> images = spark.read().parquet(out + "/images");
    assertEquals(0, images.filter("height != 224 OR width != 224 OR length(pixels) != 50176").count());
    long distinctPatients = images.select("patient_id").distinct().count();
    assertEquals(210, distinctPatients);
  }

  @Test
  void aMissingLabelTableFailsNamingIt() throws IOException {
    Path data = dir.resolve("no-labels");
    TestImages.write(data.resolve("images/00000001_000.png"), TestImages.png(96, 96));
    TestCatalog.nih(catalog, "no-labels", data);
    JobFailure e = assertThrows(JobFailure.class, () -> IngestJob.execute(spark, spec("no-labels",
        dir.resolve("out-no-labels")), false));
    assertTrue(e.getMessage().contains("label table") && e.getMessage().contains("Data_Entry_2017.csv"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("out-no-labels")));
  }

  @Test
  void aFailedRunKeepsThePreviousOutputAndARerunReplacesIt() throws IOException {
    Path out = dir.resolve("replace");
    IngestJob.execute(spark, spec("messy", out), false);
    String before = Files.readString(out.resolve("_SUMMARY.json"));
    JobFailure e = assertThrows(JobFailure.class, () -> IngestJob.execute(spark,
        spec("messy", out, "dataset_root=" + dir.resolve("no-such-dir"), "seed=9"), false));
    assertTrue(e.getMessage().contains("no-such-dir"), e.getMessage());
    assertEquals(before, Files.readString(out.resolve("_SUMMARY.json")));
    try (var siblings = Files.list(dir)) {
      assertFalse(siblings.anyMatch(p -> p.getFileName().toString().contains("inprogress")), "staging left over");
    }
    IngestJob.execute(spark, spec("messy", out, "seed=9"), false);
    assertTrue(Files.readString(out.resolve("_SUMMARY.json")).contains("\"seed\" : 9"));
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  /**
   * A catalog naming an official test list (NIH's test_list.txt): exactly the listed images are the test split, and
   * an unlisted image of a listed patient is quarantined (split_conflict) rather than trained on.
   */
  @Test
  void anOfficialTestListPutsExactlyItsImagesInTestAndKeepsTheirPatientsOutOfTraining() throws IOException {
    Path data = dir.resolve("official");
    List<SyntheticXrays.Sample> samples = SyntheticXrays.write(data, 30, 64, 3, 9);
    List<String> patients = samples.stream().map(SyntheticXrays.Sample::patientId).distinct().toList();
    List<String> listed = new ArrayList<>(samples.stream()
        .filter(x -> x.patientId().equals(patients.get(0)) || x.patientId().equals(patients.get(1)))
        .map(SyntheticXrays.Sample::fileName).toList());
    List<String> third = samples.stream().filter(x -> x.patientId().equals(patients.get(2)))
        .map(SyntheticXrays.Sample::fileName).toList();
    listed.add(third.get(0));
    Files.writeString(data.resolve("test_list.txt"), String.join("\n", listed) + "\n");
    Path officialCatalog = TestCatalog.write(dir.resolve("catalog-official"), "official", "format: nih\nlocation: "
        + data.toAbsolutePath() + "\nimages: images\nlabel_table: Data_Entry_2017.csv\ntest_list: test_list.txt\n"
        + "labels: " + TestCatalog.NIH_LABELS + "\n");
    Path out = dir.resolve("out-official");
    Map<String, Object> summary = IngestJob.execute(spark, JobSpecs.schema("ingest").load(null, List.of(
        "dataset=official", "catalog=" + officialCatalog, "output=" + out, "image_size=32")), false);
    Dataset<Row> images = spark.read().parquet(out + "/images");
    assertEquals(Set.copyOf(listed), images.filter("split = 'test'").collectAsList().stream()
        .map(r -> r.<String>getAs("image_id")).collect(Collectors.toSet()));
    assertEquals(0, images.filter("split != 'test'").filter(org.apache.spark.sql.functions.col("patient_id")
        .isin(patients.get(0), patients.get(1), patients.get(2))).count(), "no test patient trains");
    Map<String, String> reasons = spark.read().parquet(out + "/quarantine").collectAsList().stream()
        .collect(Collectors.toMap(r -> Path.of(r.getString(0)).getFileName().toString(), r -> r.getString(1)));
    assertEquals(Map.of(third.get(1), "split_conflict", third.get(2), "split_conflict"), reasons);
    assertEquals(28, images.count());
    assertEquals(7, ((Map<?, ?>) summary.get("results")).get("official_test_list_images"));
  }
}
