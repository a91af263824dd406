package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;
import org.fedcxr.data.ImageStore;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.SafeTensors;
import org.fedcxr.ssl.BatchNormRefresh;
import org.fedcxr.ssl.PretrainRun;
import org.fedcxr.testing.NativeThreads;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.train.RunStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainJobTest {
  static SparkSession spark;
  @TempDir
  static Path dir;
  static Path ingested;

  @BeforeAll
  static void setUp() {
    spark = SparkTests.start();
    ingested = SyntheticIngest.ingest(spark, dir, 160, 2, 8, 0.6, 0.2, 0.2);
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  static Spec spec(String out, String... more) {
    List<String> sets = new ArrayList<>(List.of("input=" + ingested, "output=" + dir.resolve(out),
        "architecture=small", "epochs=3", "batch_size=16", "hidden=64", "dim=32"));
    sets.addAll(List.of(more));
    return JobSpecs.schema("pretrain").load(null, sets);
  }

  static Map<String, SafeTensors.Tensor> encoder(String out) throws IOException {
    try (var in = Files.newInputStream(dir.resolve(out).resolve("encoder.safetensors"))) {
      return SafeTensors.read(in).tensors();
    }
  }

  @Test
  void pretrainsOnTheServerPoolAndExportsOnlyTheEncoder() throws IOException {
    Map<String, Object> summary = PretrainJob.execute(spark, spec("run", "workers=2", "sync_every=1"), false, false);
    Path out = dir.resolve("run");
    for (String f : List.of("_SUCCESS", "encoder.safetensors", "losses.csv", "charts/loss.png", "charts/views.png",
        "rounds/00003/_COMPLETE", "rounds/00002/_COMPLETE")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    assertFalse(Files.exists(out.resolve("rounds/00001")), "only the last two epochs' checkpoints are kept");
    long server = spark.read().parquet(ingested + "/images").filter("split = 'server'").count();
    assertEquals(FederateJobTest.SUMMARY_KEYS, List.copyOf(summary.keySet()), "every job's summary has one shape");
    assertEquals(server, JobSummary.results(summary).get("images"));
    Map<String, SafeTensors.Tensor> tensors = encoder("run");
    assertTrue(tensors.containsKey("conv1.weight"));
    assertFalse(tensors.keySet().stream().anyMatch(k -> k.startsWith("projector") || k.startsWith("predictor")
        || k.startsWith("sr") || k.startsWith("fc")), tensors.keySet().toString());
    try (var in = Files.newInputStream(out.resolve("encoder.safetensors"))) {
      Map<String, String> meta = SafeTensors.read(in).metadata();
      assertEquals("byol", meta.get("method"));
      assertEquals("3", meta.get("epochs"));
      assertTrue(meta.get("data").endsWith("split=server"));
    }
    assertEquals(4, Files.readAllLines(out.resolve("losses.csv")).size());
  }

  /**
   * The job runs libtorch only on its lanes, exporting the encoder included: the thread that runs it keeps no OpenMP
   * team of its own (TorchThread says why). ResNet-18, whose initialisation has ops large enough to run in parallel.
   */
  @Test
  void theThreadThatRunsTheJobIsLeftWithoutAnOpenMpTeam() throws InterruptedException {
    Spec s = spec("lanes", "architecture=resnet18", "epochs=1", "warmup_epochs=0", "threads=2");
    assertEquals(0, NativeThreads.keptBy("pretrain-caller", () -> PretrainJob.execute(spark, s, false, false)));
  }

  @Test
  void resumeEndsWithTheSameEncoderAsAnUninterruptedRun() throws IOException {
    for (String method : List.of("simsiam", "byol")) {
      PretrainJob.execute(spark, spec("whole", "method=" + method, "workers=2", "sync_every=1"), false, false);
      PretrainJob.execute(spark, spec("part", "method=" + method, "workers=2", "sync_every=1"), false, false);
      // a run stopped during its last epoch: that epoch's checkpoint and the final outputs are missing
      for (String gone : List.of("rounds/00003", "_SUCCESS", "encoder.safetensors")) {
        try (var files = Files.walk(dir.resolve("part").resolve(gone))) {
          for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(f);
          }
        }
      }
      Map<String, float[]> checkpoint = RunStore.vectors(Files.readAllBytes(dir.resolve("part/rounds/00002"
          + "/state.safetensors")));
      assertTrue(checkpoint.containsKey("adam_m") && checkpoint.containsKey("adam_v"), checkpoint.keySet()
          .toString());
      // the two runs are equal before the resume (else a difference below is not the resume's)
      assertArrayEquals(RunStore.vectors(Files.readAllBytes(dir.resolve("whole/rounds/00002/state.safetensors")))
          .get("online"), checkpoint.get("online"), method + ": two fresh runs differ after epoch 2");
      PretrainJob.execute(spark, spec("part", "method=" + method, "workers=2", "sync_every=1"), true, false);
      assertSameEncoder("whole", "part", method + ", resumed");
      assertArrayEquals(RunStore.vectors(Files.readAllBytes(dir.resolve("whole/rounds/00003/state.safetensors")))
          .get("adam_v"), RunStore.vectors(Files.readAllBytes(dir.resolve("part/rounds/00003/state.safetensors")))
          .get("adam_v"), method);
    }
  }

  @Test
  void oneWorkerTrainsTheSameEncoderWhateverItsSyncPeriod() throws IOException {
    PretrainJob.execute(spark, spec("sync1", "epochs=5", "sync_every=1"), false, false);
    PretrainJob.execute(spark, spec("sync2", "epochs=5", "sync_every=2"), false, false);
    assertSameEncoder("sync1", "sync2", "one worker");
    assertEquals(Files.readAllLines(dir.resolve("sync1/losses.csv")).stream().map(l -> l.split(",")[1]).toList(),
        Files.readAllLines(dir.resolve("sync2/losses.csv")).stream().map(l -> l.split(",")[1]).toList());
    // epochs 1-2, 3-4 and 5 in three tasks: checkpoints after epochs 2, 4 and 5, the last two kept
    for (int epoch = 1; epoch <= 5; epoch++) {
      assertEquals(epoch >= 4, Files.exists(dir.resolve(String.format("sync2/rounds/%05d/_COMPLETE", epoch))),
          "checkpoint of epoch " + epoch);
    }
    // stopped in its last task: resumed from epoch 4, it trains epoch 5 alone and ends the same
    for (String gone : List.of("rounds/00005", "_SUCCESS", "encoder.safetensors")) {
      try (var files = Files.walk(dir.resolve("sync2").resolve(gone))) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
    PretrainJob.execute(spark, spec("sync2", "epochs=5", "sync_every=2"), true, false);
    assertSameEncoder("sync1", "sync2", "one worker");
  }

  @Test
  void resumingACheckpointWithoutOptimizerStateIsAClearError() throws IOException {
    PretrainJob.execute(spark, spec("old", "method=simsiam", "epochs=3"), false, false);
    Path state = dir.resolve("old/rounds/00003/state.safetensors");
    Map<String, float[]> v = new LinkedHashMap<>(RunStore.vectors(Files.readAllBytes(state)));
    v.remove("adam_m");
    v.remove("adam_v");
    Files.write(state, RunStore.vectors(v));
    Files.deleteIfExists(dir.resolve("old/._SUCCESS.crc"));
    Files.deleteIfExists(dir.resolve("old/.state.safetensors.crc"));
    Files.deleteIfExists(dir.resolve("old/rounds/00003/.state.safetensors.crc"));
    var e = assertThrows(JobFailure.class, () -> PretrainJob.execute(spark,
        spec("old", "method=simsiam", "epochs=3"), true, false));
    assertTrue(e.getMessage().contains("epoch 3 of") && e.getMessage().contains("no optimizer state"),
        e.getMessage());
  }

  /** Equal encoder tensors, bit for bit; a failure names the tensor, how many values differ and by how much. */
  private static void assertSameEncoder(String x, String y, String what) throws IOException {
    Map<String, SafeTensors.Tensor> a = encoder(x);
    Map<String, SafeTensors.Tensor> b = encoder(y);
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) {
      if (Arrays.equals(a.get(k).data(), b.get(k).data())) {
        continue;
      }
      String how = "";
      if (a.get(k).dtype().equals("F32")) {
        float[] u = a.get(k).floats();
        float[] v = b.get(k).floats();
        int differ = 0;
        double largest = 0;
        for (int i = 0; i < u.length; i++) {
          if (Float.floatToRawIntBits(u[i]) != Float.floatToRawIntBits(v[i])) {
            differ++;
            largest = Math.max(largest, Math.abs((double) u[i] - v[i]));
          }
        }
        how = ": " + differ + " of " + u.length + " values differ, by up to " + largest;
      }
      fail(x + " vs " + y + " (" + what + "), " + k + " differs" + how);
    }
  }

  @Test
  void probeFitsAPerDiseaseLinearModelOnFrozenFeatures() throws IOException {
    PretrainJob.execute(spark, spec("for-probe", "epochs=1", "warmup_epochs=0"), false, false);
    Map<String, Object> ssl = ProbeJob.execute(spark, JobSpecs.schema("probe").load(null, List.of(
        "encoder=" + dir.resolve("for-probe/encoder.safetensors"), "input=" + ingested,
        "output=" + dir.resolve("probe-ssl"))));
    Map<?, ?> r = (Map<?, ?>) ssl.get("results");
    assertEquals("small", r.get("architecture"));
    double auc = ((Number) r.get("mean_auc")).doubleValue();
    // the synthetic findings are planted patterns a linear model on frozen features can pick up (0.77 measured)
    assertTrue(auc > 0.65 && auc < 1, "mean AUC " + auc);
    assertEquals(15, Files.readAllLines(dir.resolve("probe-ssl/metrics_per_label.csv")).size());
    Map<?, ?> random = (Map<?, ?>) ProbeJob.execute(spark, JobSpecs.schema("probe").load(null, List.of(
        "encoder=random", "architecture=small", "input=" + ingested, "output=" + dir.resolve("probe-random"))))
        .get("results");
    double randomAuc = ((Number) random.get("mean_auc")).doubleValue();
    assertTrue(randomAuc > 0.65 && randomAuc < 1, "random encoder's mean AUC " + randomAuc + " (0.75 measured)");
    var e = assertThrows(JobFailure.class, () -> ProbeJob.execute(spark,
        JobSpecs.schema("probe").load(null, List.of("encoder=random", "input=" + ingested,
            "output=" + dir.resolve("probe-x")))));
    assertTrue(e.getMessage().contains("'architecture'"));
  }

  /**
   * BatchNorm statistics recomputed on the server pool (the probe's {@code bn_statistics=server}): only running
   * statistics change, the same in a second run, and the export records how many images made them.
   */
  @Test
  void batchNormStatisticsAreRecomputedOnTheServerPoolAndNothingElseChanges() throws IOException {
    PretrainJob.execute(spark, spec("for-bn", "epochs=1", "warmup_epochs=0"), false, false);
    byte[] exported = Files.readAllBytes(dir.resolve("for-bn/encoder.safetensors"));
    JavaPairRDD<Integer, Row> shards = PretrainRun.shards(spark.read().parquet(ingested + "/images")
        .filter("split = 'server'"), 2, 42);
    byte[] once = BatchNormRefresh.encoder(shards, Architecture.named("small"), exported, 8, 42, "server pool");
    byte[] twice = BatchNormRefresh.encoder(shards, Architecture.named("small"), exported, 8, 42, "server pool");
    assertArrayEquals(once, twice);
    SafeTensors.Content before = SafeTensors.read(new ByteArrayInputStream(exported));
    SafeTensors.Content after = SafeTensors.read(new ByteArrayInputStream(once));
    int changed = 0;
    for (String name : before.tensors().keySet()) {
      if (name.endsWith("num_batches_tracked")) {
        continue;
      }
      float[] x = before.tensors().get(name).floats();
      float[] y = after.tensors().get(name).floats();
      if (name.endsWith("running_mean") || name.endsWith("running_var")) {
        changed += Arrays.equals(x, y) ? 0 : 1;
      } else {
        assertArrayEquals(x, y, name);
      }
    }
    assertEquals(2 * 4, changed, "the small encoder's four BatchNorm layers");
    long server = shards.count();
    String what = after.metadata().get(BatchNormRefresh.PROVENANCE);
    long used = Long.parseLong(what.replaceAll(".*\\((\\d+) images\\)", "$1"));
    assertTrue(what.startsWith("recomputed on server pool (") && used <= server && used >= server - 2, what + ", " + server);
    assertEquals(before.metadata().get("final_loss"), after.metadata().get("final_loss"));
    shards.unpersist();
    Map<?, ?> probed = JobSummary.results(ProbeJob.execute(spark, JobSpecs.schema("probe").load(null, List.of(
        "encoder=random", "architecture=small", "input=" + ingested, "bn_statistics=server",
        "output=" + dir.resolve("probe-bn")))));
    assertTrue(((Map<?, ?>) probed.get("encoder_metadata")).get(BatchNormRefresh.PROVENANCE).toString()
        .startsWith("recomputed on the server pool of "), probed.toString());
  }

  @Test
  void probeFitsOnAPartitionsClientsPooled() {
    Map<String, Object> partition = PartitionJob.execute(spark, JobSpecs.schema("partition").load(null, List.of(
        "input=" + ingested, "output=" + dir.resolve("part-half"), "clients=3", "fraction=0.5")));
    Object kept = JobSummary.results(partition).get("images");
    long clientSplit = spark.read().parquet(ingested + "/images").filter("split = 'client'").count();
    List<String> probe = List.of("encoder=random", "architecture=small", "input=" + ingested);
    Map<?, ?> pooled = JobSummary.results(ProbeJob.execute(spark, JobSpecs.schema("probe").load(null,
        concat(probe, "train_partition=" + dir.resolve("part-half"), "output=" + dir.resolve("probe-part")))));
    assertEquals(((Number) kept).longValue(), ((Number) pooled.get("train_images")).longValue());
    assertTrue(((Number) kept).longValue() < clientSplit, kept + " of " + clientSplit);
    var e = assertThrows(JobFailure.class, () -> ProbeJob.execute(spark, JobSpecs.schema("probe").load(null,
        concat(probe, "train_partition=" + dir.resolve("no-partition"), "output=" + dir.resolve("probe-y")))));
    assertTrue(e.getMessage().contains("no-partition"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("probe-y/_SUCCESS")));
  }

  private static List<String> concat(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all;
  }

  @Test
  void anEmptySplitOrAMissingInputIsAClearError() {
    Path noServer = SyntheticIngest.ingest(spark, dir.resolve("no-server"), 40, 2, 8, 0, 0.8, 0.2);
    var e = assertThrows(JobFailure.class, () -> PretrainJob.execute(spark,
        spec("empty", "input=" + noServer), false, false));
    assertTrue(e.getMessage().startsWith("no images to pretrain on in ") && e.getMessage().endsWith("split=server"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("empty/_SUCCESS")));
    e = assertThrows(JobFailure.class, () -> ProbeJob.execute(spark, JobSpecs.schema("probe").load(null, List.of(
        "encoder=random", "architecture=small", "input=" + noServer, "bn_statistics=server",
        "output=" + dir.resolve("probe-no-server")))));
    assertTrue(e.getMessage().contains("the server pool of ") && e.getMessage().contains(noServer.toString())
        && e.getMessage().contains("no batch of 2"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("probe-no-server/_SUCCESS")));
    e = assertThrows(JobFailure.class, () -> PretrainJob.execute(spark,
        spec("missing", "input=" + dir.resolve("nowhere")), false, false));
    assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
  }

  /**
   * A folder of unlabelled images pretrains through ingest's decoding path: the same pixels as ingest for the same
   * files, a bad file quarantined, not fatal; exactly one of input and images is required.
   */
  @Test
  void anUnlabelledImageFolderPretrainsThroughIngestsDecodingPath() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("unlabelled/archive"));
    List<Path> pngs;
    try (var files = Files.list(dir.resolve("synthetic/images"))) {
      pngs = files.sorted().limit(40).toList();
    }
    for (Path png : pngs) {
      Files.copy(png, folder.resolve(png.getFileName()));
    }
    Files.writeString(folder.resolve("broken.png"), "not an image");
    Map<String, byte[]> decoded = new HashMap<>();
    ImageStore.Result read = ImageStore.read(spark, new ImageStore.Settings(folder.toString(),
        "*.png", 32, 64, 16384));
    for (Row r : read.images().collectAsList()) {
      decoded.put(r.getString(0), r.getAs("pixels"));
    }
    read.all().unpersist();
    assertEquals(40, decoded.size());
    for (Row r : spark.read().parquet(ingested + "/images").collectAsList()) {
      if (decoded.containsKey(r.<String>getAs("image_id"))) {
        assertArrayEquals(r.<byte[]>getAs("pixels"), decoded.get(r.<String>getAs("image_id")), r.getString(0));
      }
    }
    Map<String, Object> summary = PretrainJob.execute(spark, JobSpecs.schema("pretrain").load(null, List.of(
        "images=" + dir.resolve("unlabelled"), "image_size=32", "output=" + dir.resolve("run-unlabelled"),
        "architecture=small", "epochs=2", "warmup_epochs=1", "batch_size=16", "hidden=64", "dim=32")), false, false);
    assertEquals(40L, JobSummary.results(summary).get("images"));
    assertEquals(1L, JobSummary.results(summary).get("quarantined"));
    assertEquals("not_an_image", spark.read().parquet(dir.resolve("run-unlabelled/quarantine").toString()).first()
        .getString(1));
    assertTrue(Files.exists(dir.resolve("run-unlabelled/encoder.safetensors")));
    assertTrue(Files.exists(dir.resolve("run-unlabelled/_SUCCESS")));
    SpecException both = assertThrows(SpecException.class, () -> spec("x", "images=" + folder));
    assertTrue(both.getMessage().contains("exactly one of 'input'"), both.getMessage());
    assertThrows(SpecException.class, () -> JobSpecs.schema("pretrain").load(null, List.of("output=x")));
  }
}
