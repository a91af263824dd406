package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.eval.Thresholds;
import org.fedcxr.fl.GlobalModel;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.DiseaseScorer;
import org.fedcxr.model.Weights;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.testing.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict} on folders without a label table, against {@code evaluate} on the same images. */
class PredictJobTest {
  @TempDir
  static Path dir;
  static SparkSession spark;
  static Path ingested;
  static Path weights;

  @BeforeAll
  static void setUp() throws IOException {
    spark = SparkTests.start();
    ingested = SyntheticIngest.ingest(spark, dir, 48, 2, 3, 0.4, 0.4, 0.2);
    weights = dir.resolve("model.safetensors");
    try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, 5); OutputStream out =
        Files.newOutputStream(weights)) {
      out.write(model.toSafetensors(model.current(), Map.of(Weights.LABELS, String.join(",",
          SyntheticXrays.LABELS), Weights.IMAGE_SIZE, "32")));
    }
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static Map<String, Object> predict(Path input, Path out, String... more) {
    List<String> sets = new ArrayList<>(List.of("weights=" + weights, "input=" + input,
        "output=" + out));
    sets.addAll(List.of(more));
    return PredictJob.execute(spark, JobSpecs.schema("predict").load(null, sets));
  }

  private static Map<String, Object> evaluate(Path out, String split) {
    return EvaluateJob.execute(spark, JobSpecs.schema("evaluate").load(null, List.of("weights=" + weights,
        "input=" + ingested, "output=" + out, "split=" + split)));
  }

  private static Map<String, float[]> probabilities(Path parquet) {
    return scores(spark.read().parquet(parquet.toString()));
  }

  @Test
  void predictionsEqualEvaluatesProbabilitiesForTheSameImagesAndWeights() {
    Map<String, Object> summary = predict(dir.resolve("synthetic/images"), dir.resolve("predicted"));
    evaluate(dir.resolve("evaluated-all"), "all");
    Map<String, float[]> predicted = probabilities(dir.resolve("predicted/predictions"));
    Map<String, float[]> evaluated = probabilities(dir.resolve("evaluated-all/predictions"));
    assertEquals(48, predicted.size());
    assertEquals(evaluated.keySet(), predicted.keySet());
    for (Map.Entry<String, float[]> e : predicted.entrySet()) {
      float[] ref = evaluated.get(e.getKey());
      for (int k = 0; k < 14; k++) {
        assertEquals(ref[k], e.getValue()[k], 1e-6, e.getKey() + " label " + k);
      }
    }
    Row r = spark.read().parquet(dir.resolve("predicted/predictions").toString()).first();
    List<Float> p = r.getList(r.fieldIndex("probabilities"));
    for (int k = 0; k < 14; k++) {
      assertEquals(p.get(k), r.getFloat(r.fieldIndex(SyntheticXrays.LABELS.get(k))));
    }
    assertTrue(r.isNullAt(r.fieldIndex("findings")), "no thresholds: no findings");
    assertTrue(r.getString(r.fieldIndex("source_path")).endsWith("/" + r.getString(r.fieldIndex("image_id"))));
    Map<?, ?> results = (Map<?, ?>) summary.get("results");
    assertEquals(48L, results.get("images_scored"));
    assertEquals(0L, results.get("quarantined"));
    assertEquals(32, results.get("image_size"));
    assertTrue(Files.exists(dir.resolve("predicted/_SUCCESS")));
  }

  @Test
  void hostileFilesAreQuarantinedWithTheirReasonAndTheRestScored() throws IOException {
    Path store = dir.resolve("hostile");
    Map<String, byte[]> files = new HashMap<>();
    files.put("empty.png", new byte[0]);
    files.put("note.png", "this is a note, not an image".getBytes());
    files.put("cut.png", TestImages.truncate(TestImages.png(200, 200), 0.4));
    files.put("tiny.png", TestImages.png(32, 32));
    files.put("cut.jpg", TestImages.truncate(TestImages.jpeg(200, 200), 0.5));
    files.put("good.png", TestImages.png(96, 96));
    files.put("deep/sixteen.png", TestImages.encode(TestImages.gradient(128, 128, BufferedImage.TYPE_USHORT_GRAY),
        "png"));
    files.put("rgb.jpg", TestImages.jpeg(100, 120));
    files.put("ignored.txt", "not matched by the glob".getBytes());
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      TestImages.write(store.resolve(e.getKey()), e.getValue());
    }
    Path out = dir.resolve("predicted-hostile");
    Map<String, Object> summary = predict(store, out);
    Map<String, String> reasons = spark.read().parquet(out + "/quarantine").collectAsList().stream()
        .collect(Collectors.toMap(r -> store.relativize(Path.of(URI.create(r.getString(0)))).toString(),
            r -> r.getString(1)));
    assertEquals(Map.of("empty.png", "empty", "note.png", "not_an_image", "cut.png", "truncated",
        "tiny.png", "too_small", "cut.jpg", "truncated"), reasons);
    assertEquals(List.of("deep/sixteen.png", "good.png", "rgb.jpg"), spark.read().parquet(out + "/predictions")
        .select("image_id").orderBy("image_id").collectAsList().stream().map(r -> r.getString(0)).toList());
    assertEquals(5L, ((Map<?, ?>) summary.get("results")).get("quarantined"));
  }

  @Test
  void thresholdsChosenOnAValidationSplitGiveTheFindingsAndNeverOnTest() {
    evaluate(dir.resolve("evaluated-test"), "test");
    assertFalse(Files.exists(dir.resolve("evaluated-test/thresholds.csv")), "never chosen on the test split");
    evaluate(dir.resolve("evaluated-client"), "client");
    Path csv = dir.resolve("evaluated-client/thresholds.csv");
    assertTrue(Files.exists(csv));
    Map<String, Object> summary = predict(dir.resolve("synthetic/images"), dir.resolve("predicted-thresholds"),
        "thresholds=" + csv);
    Thresholds t = Thresholds.parse(readString(csv), SyntheticXrays.LABELS, csv.toString());
    assertEquals("client", t.split());
    assertFalse(t.byLabel().isEmpty());
    int reported = 0;
    for (Row r : spark.read().parquet(dir.resolve("predicted-thresholds/predictions").toString()).collectAsList()) {
      List<String> findings = r.getList(r.fieldIndex("findings"));
      for (String label : SyntheticXrays.LABELS) {
        Double threshold = t.byLabel().get(label);
        boolean expected = threshold != null && r.getFloat(r.fieldIndex(label)) >= threshold;
        assertEquals(expected, findings.contains(label), r.getString(0) + " " + label);
        reported += expected ? 1 : 0;
      }
    }
    assertTrue(reported > 0);
    assertEquals("client", ((Map<?, ?>) summary.get("results")).get("thresholds_chosen_on_split"));
  }

  @Test
  void badInputsFailWithTheFileOrKeyAndLeaveNoCompleteOutput() throws IOException {
    Path bad = dir.resolve("bad-thresholds.csv");
    Files.writeString(bad, "label,threshold\nAtelectasis,0.5\nDragon_Scales,0.3\n");
    JobFailure e = assertThrows(JobFailure.class, () -> predict(dir.resolve("synthetic/images"),
        dir.resolve("out-bad-thresholds"), "thresholds=" + bad));
    assertTrue(e.getMessage().contains("bad-thresholds.csv line 3") && e.getMessage().contains("Dragon_Scales"),
        e.getMessage());
    Files.writeString(bad, "label,threshold\nAtelectasis,1.5\n");
    e = assertThrows(JobFailure.class, () -> predict(dir.resolve("synthetic/images"),
        dir.resolve("out-bad-thresholds"), "thresholds=" + bad));
    assertTrue(e.getMessage().contains("outside [0, 1]"), e.getMessage());
    e = assertThrows(JobFailure.class, () -> predict(dir.resolve("no-such-folder"), dir.resolve("out-missing")));
    assertTrue(e.getMessage().contains("no-such-folder") && e.getMessage().contains("does not exist"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("out-missing/_SUCCESS")));
    Path unnamed = dir.resolve("unnamed.safetensors");
    try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, 5); OutputStream out =
        Files.newOutputStream(unnamed)) {
      out.write(model.toSafetensors(model.current(), Map.of()));
    }
    e = assertThrows(JobFailure.class, () -> PredictJob.execute(spark, JobSpecs.schema("predict").load(null,
        List.of("weights=" + unnamed, "input=" + dir.resolve("synthetic/images"), "output=" + dir.resolve("o")))));
    assertTrue(e.getMessage().contains("name no labels") && e.getMessage().contains("dataset"), e.getMessage());
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The scorer saves as a spark.ml stage: PipelineModel.load gives back a pipeline that scores identically. */
  @Test
  void aSavedScoringPipelineReloadsAndScoresIdentically() throws IOException {
    Dataset<Row> images = spark.read().parquet(ingested + "/images");
    DiseaseScorer scorer = DiseaseScorer.fromBytes(spark, Files.readAllBytes(weights), Architecture.SMALL, 14, 16);
    PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {scorer}).fit(images);
    String path = dir.resolve("saved-pipeline").toString();
    pipeline.write().overwrite().save(path);
    Map<String, float[]> before = scores(pipeline.transform(images));
    scorer.release();
    PipelineModel loaded = PipelineModel.load(path);
    assertEquals(scorer.uid(), loaded.stages()[0].uid());
    Map<String, float[]> after = scores(loaded.transform(images));
    assertEquals(48, after.size());
    assertEquals(before.keySet(), after.keySet());
    for (String id : before.keySet()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(id), after.get(id), id);
    }
    ((DiseaseScorer) loaded.stages()[0]).release();
  }

  private static Map<String, float[]> scores(Dataset<Row> scored) {
    return scored.select("image_id", "probabilities").collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> {
          List<Float> p = r.getList(1);
          float[] out = new float[p.size()];
          for (int i = 0; i < out.length; i++) {
            out[i] = p.get(i);
          }
          return out;
        }));
  }
}
