package org.fedcxr.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.cli.Jobs;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;
import org.fedcxr.fl.GlobalModel;
import org.fedcxr.model.Architecture;
import org.fedcxr.testing.NativeThreads;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code bench} suite but {@code pretrain} (PretrainBenchmarkTest) on tiny inputs: it runs, its figures are
 * positive, and the derived ones are consistent with the measured ones. No figure is compared with a speed.
 */
class BenchSuitesTest {
  static SparkSession spark;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() {
    spark = SparkTests.start();
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  private static Spec spec(String... settings) {
    List<String> all = new ArrayList<>(List.of("architecture=small", "threads=1", "batch_size=2", "seed=7"));
    all.addAll(List.of(settings));
    return JobSpecs.schema("bench").load(null, all);
  }

  private static double number(Map<String, Object> r, String key) {
    Object v = r.get(key);
    assertTrue(v instanceof Number, key + " is " + v);
    return ((Number) v).doubleValue();
  }

  @Test
  void ingestIngestsEverySourceAndDerivesItsRatesFromItsTimes() {
    Map<String, Object> r = IngestBenchmark.run(spark, spec("suite=ingest", "count=6", "source_px=96",
        "image_size=32", "imagemagick=none"), dir, Jobs.on(spark, false));
    assertEquals(6, r.get("images"));
    assertTrue(number(r, "source_mb") > 0);
    assertTrue(number(r, "fedcxr_decode_resize_1_thread_img_per_s") > 0);
    double half = number(r, "fedcxr_ingest_job_seconds_3_images");
    double all = number(r, "fedcxr_ingest_job_seconds_6_images");
    double cores = number(r, "fedcxr_ingest_job_cores");
    assertTrue(half > 0 && all > 0 && cores >= 1);
    assertEquals(6 / all / cores, number(r, "fedcxr_ingest_job_img_per_s_per_core"), 1e-12);
    assertEquals(3 / (all - half) / cores, number(r, "fedcxr_ingest_job_marginal_img_per_s_per_core"), 1e-12);
    assertFalse(r.containsKey("imagemagick_mogrify_batch_1_thread_img_per_s"), "imagemagick=none skips it");
    assertTrue(Files.exists(dir.resolve("ingested/_SUCCESS")));
    assertTrue(Files.exists(dir.resolve("ingested-half/_SUCCESS")));
  }

  @Test
  void aMissingImageMagickIsAClearError() {
    JobFailure e = assertThrows(JobFailure.class, () -> IngestBenchmark.run(spark, spec("suite=ingest", "count=2",
        "source_px=32", "image_size=16", "imagemagick=" + dir.resolve("no-such-convert")), dir,
        Jobs.on(spark, false)));
    assertTrue(e.getMessage().contains("no-such-convert") && e.getMessage().contains("imagemagick=none"),
        e.getMessage());
  }

  /** The optimizer suite on the small architecture: counts as the branches', times positive, ratios consistent. */
  @Test
  void optimizerReportsBothUpdatesOfEachKind() {
    Map<String, Object> r = OptimizerBenchmark.run(spec("suite=optimizer", "train_steps=3"));
    assertTrue(number(r, "trainable_parameters") > number(r, "target_parameters") * 0.5, r.toString());
    for (String kind : new String[] {"adam", "ema"}) {
      String slow = kind.equals("adam") ? "adam_djl_kernel_ms_per_step" : "ema_libtorch_ops_ms_per_step";
      double oldWay = number(r, slow);
      double oneLoop = number(r, kind + "_one_pass_ms_per_step");
      assertTrue(oldWay > 0 && oneLoop > 0, r.toString());
      assertEquals(oldWay / oneLoop, number(r, kind + "_speedup"), 1e-9, kind);
    }
  }

  /**
   * The ops suite on the small architecture: both cases profiled on the training thread (their backward nodes are
   * in the trace), BYOL's step calls four forward passes' convolutions for supervised training's one (two views
   * through the online and the target branch) and SimSiam's two, and the printed totals agree with the tables.
   */
  @Test
  void opsProfilesEveryCaseOperatorByOperator() throws Exception {
    Map<String, Object> r = OpsBenchmark.run(spec("suite=ops", "image_size=32", "train_steps=2", "profiled_steps=1"),
        dir);
    Map<String, Double> convCalls = new HashMap<>();
    for (String c : new String[] {"supervised", "byol", "simsiam"}) {
      assertTrue(Files.size(dir.resolve("ops-profile/" + c + ".trace.json")) > 0, c);
      assertEquals(2, ((List<?>) r.get(c + "_profiled_training_steps_ms")).size(), c + ": the second epoch's steps");
      List<String[]> rows = Files.readAllLines(dir.resolve("ops-profile/" + c + "-ops.csv")).stream().skip(1)
          .map(l -> l.split(",")).toList();
      List<String[]> outer = rows.stream().filter(x -> x[0].equals("outermost")).toList();
      assertTrue(outer.stream().anyMatch(x -> x[1].contains("evaluate_function")), c + ": backward recorded");
      double inOps = outer.stream().mapToDouble(x -> Double.parseDouble(x[3])).sum();
      assertEquals(number(r, c + "_in_ops_ms_per_step"), inOps, 1e-3 * outer.size(), c);
      assertEquals(number(r, c + "_profiled_ms_per_step") - number(r, c + "_in_ops_ms_per_step"),
          number(r, c + "_outside_ops_ms_per_step"), 1e-9, c);
      assertTrue(number(r, c + "_ms_per_step") > 0 && inOps > 0, c);
      assertTrue(Double.isFinite(number(r, c + "_minor_faults_per_step")), c);
      assertTrue(Double.isFinite(number(r, c + "_profiled_minor_faults_per_step")), c);
      convCalls.put(c, outer.stream().filter(x -> x[1].equals("\"aten::conv2d\""))
          .mapToDouble(x -> Double.parseDouble(x[2])).sum());
    }
    assertTrue(convCalls.get("supervised") > 0, convCalls.toString());
    assertEquals(4 * convCalls.get("supervised"), convCalls.get("byol"), 1e-9, convCalls.toString());
    assertEquals(2 * convCalls.get("supervised"), convCalls.get("simsiam"), 1e-9, "SimSiam: no target branch");
  }

  @Test
  void trainReportsBothSizesAgainstTheSameMatmul() {
    Map<String, Object> r = TrainBenchmark.run(spec("suite=train", "train_steps=1"));
    double matmul = number(r, TrainBenchmark.MATMUL);
    assertTrue(matmul > 0);
    for (int size : new int[] {128, 224}) {
      String c = "train_" + size + "px_";
      double ips = number(r, c + "img_per_s");
      assertTrue(ips > 0, c);
      double gflops = 3.0 * TrainBenchmark.forwardFlops(Architecture.SMALL, size) * ips / 1e9;
      assertEquals(gflops, number(r, c + "gflop_per_s"), 1e-9 * gflops, c);
      assertEquals(gflops / matmul, number(r, c + "share_of_matmul"), 1e-9, c);
      double building = number(r, c + "share_of_time_building_batches");
      assertTrue(building >= 0 && building < 1, c + building);
    }
  }

  /** The suites' own libtorch work (the matmul, counting FLOPs) runs on a lane, as their trainings do. */
  @Test
  void theThreadThatStartsASuiteIsLeftWithoutAnOpenMpTeam() throws InterruptedException {
    Spec twoThreads = spec("suite=train", "threads=2");
    TrainBenchmark.start(twoThreads); // whatever libtorch starts once per JVM is started here
    assertEquals(0, NativeThreads.keptBy("bench-caller", () -> {
      TrainBenchmark.start(twoThreads);
      TrainBenchmark.forwardFlops(Architecture.RESNET18, 128);
    }));
  }

  /** Two trainings at once: their images/s are summed and the share is of two matmuls on their threads. */
  @Test
  void trainWithTwoTrainingsAtOnceSumsThem() {
    Map<String, Object> r = TrainBenchmark.run(spec("suite=train", "train_steps=1", "trainings=2"));
    assertEquals(2, number(r, "trainings"));
    double matmul = number(r, TrainBenchmark.MATMUL);
    for (int size : new int[] {128, 224}) {
      String c = "train_" + size + "px_";
      double gflops = number(r, c + "gflop_per_s");
      assertTrue(gflops > 0, c);
      assertEquals(gflops / (2 * matmul), number(r, c + "share_of_matmul"), 1e-9, c);
    }
  }

  @Test
  void memoryRecordsResidentMemoryEveryFiftyStepsAndAcrossTrainings() {
    Map<String, Object> r = MemoryBenchmark.run(spec("suite=memory", "memory_steps=150", "memory_batch_size=2",
        "memory_image_size=16", "memory_trainings=3", "image_size=16"));
    Map<?, ?> rss = (Map<?, ?>) r.get("rss_mb");
    assertEquals(List.of("step_50", "step_100", "step_150"), rss.keySet().stream().map(String::valueOf).toList());
    rss.values().forEach(v -> assertTrue(((Double) v) > 0));
    assertEquals((Double) rss.get("step_150") - (Double) rss.get("step_100"),
        number(r, "rss_growth_mb_after_step_100"), 1e-12);
    Map<String, Object> across = map(r.get("across_trainings"));
    Map<?, ?> trainings = (Map<?, ?>) across.get("rss_mb");
    assertEquals(List.of("training_1", "training_2", "training_3"),
        trainings.keySet().stream().map(String::valueOf).toList());
    assertEquals((Double) trainings.get("training_3") - (Double) trainings.get("training_2"),
        number(across, "rss_growth_mb_from_training_2"), 1e-12);
  }

  @Test
  void moreProfiledStepsThanAnEpochHasIsAClearError() {
    SpecException e = assertThrows(SpecException.class,
        () -> spec("suite=ops", "train_steps=2", "profiled_steps=3"));
    assertTrue(e.getMessage().contains("'profiled_steps' is 3") && e.getMessage().contains("(2)"), e.getMessage());
  }

  @Test
  void minorPageFaultsCountMemoryTouchedForTheFirstTime() {
    long before = MemoryBenchmark.minorPageFaults();
    ByteBuffer fresh = ByteBuffer.allocateDirect(64 << 20);
    for (int i = 0; i < fresh.capacity(); i += 4096) {
      fresh.put(i, (byte) 1);
    }
    assertTrue(MemoryBenchmark.minorPageFaults() > before, "64 MB of new memory touched");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void roundsReportEveryRoundAndTheirShareOfTheTrainSuite() {
    Map<String, Object> r = RoundBenchmark.run(spark, spec("suite=rounds", "clients=3", "images_per_client=2",
        "image_size=32", "rounds=2", "train_steps=1"), dir);
    List<?> rounds = (List<?>) r.get("per_round");
    assertEquals(2, rounds.size());
    Map<?, ?> second = (Map<?, ?>) rounds.get(1);
    double seconds = ((Number) second.get("seconds")).doubleValue();
    assertEquals(seconds, number(r, "round_seconds_after_warmup"), 1e-12, "the mean of the rounds after the first");
    assertEquals(3 * 2 / seconds, number(r, "round_img_per_s_after_warmup"), 1e-9);
    assertEquals(number(r, "round_img_per_s_after_warmup") / number(r, "train_suite_img_per_s"),
        number(r, "round_img_per_s_share_of_train_suite"), 1e-12);
    assertEquals(8L * number(r, "groups") * parameters(), number(r, "sum_bytes_to_driver_per_round"), 0);
    assertTrue(number(r, "driver_heap_mb_max") > 0);
    assertTrue(Files.exists(dir.resolve("rounds-run")), "rounds checkpoint as a real run does");
  }

  private static long parameters() {
    try (GlobalModel m = new GlobalModel(Architecture.SMALL, 14, 7)) {
      return m.current().length;
    }
  }

  @Test
  void predictScoresEverySourceAndDerivesItsRatesFromItsTimes() {
    Map<String, Object> r = PredictBenchmark.run(spark, spec("suite=predict", "count=6", "source_px=64",
        "image_size=32"), dir, Jobs.on(spark, false));
    double half = number(r, "predict_seconds_half");
    double all = number(r, "predict_seconds_all");
    double cores = number(r, "cores");
    assertTrue(half > 0 && all > 0 && cores >= 1);
    assertEquals(6 / all, number(r, "predict_img_per_s"), 1e-12);
    assertEquals(3 / (all - half), number(r, "predict_img_per_s_at_scale"), 1e-12);
    assertEquals(number(r, "predict_img_per_s_at_scale") / cores, number(r, "predict_img_per_s_per_core_at_scale"),
        1e-12);
    long scored = spark.read().parquet(dir.resolve("predicted").toString() + "/predictions").count();
    assertEquals(6, scored);
  }
}
