package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.fl.FlTestHooks;
import org.fedcxr.fl.GlobalModel;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.SafeTensors;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.Weights;
import org.fedcxr.testing.NativeThreads;
import org.fedcxr.testing.SparkTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end federated runs on synthetic data: small encoder, 4 clients, a few rounds. */
class FederateJobTest {
  /** The top-level keys of every job's _SUMMARY.json (JobSummary). */
  static final List<String> SUMMARY_KEYS = List.of("job", "fedcxr_version", "commit", "cpu", "output",
      "spec_source", "spec", "started", "seconds", "results");

  static SparkSession spark;
  @TempDir
  static Path dir;
  static Path ingested;
  static Path partitioned;

  @BeforeAll
  static void setUp() {
    spark = SparkTests.start("local[2,4]");
    ingested = SyntheticIngest.ingest(spark, dir, 240, 2, 21, 0.1, 0.6, 0.3);
    partitioned = dir.resolve("partitioned");
    PartitionJob.execute(spark, JobSpecs.schema("partition").load(null, List.of("input=" + ingested,
        "output=" + partitioned, "clients=4")));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
  }

  @AfterEach
  void resetHooks() {
    FlTestHooks.reset();
  }

  static Spec spec(String out, String... more) {
    List<String> sets = new ArrayList<>(List.of("input=" + partitioned, "test=" + ingested,
        "output=" + dir.resolve(out), "architecture=small", "rounds=3", "batch_size=16", "learning_rate=0.003"));
    sets.addAll(List.of(more));
    return JobSpecs.schema("federate").load(null, sets);
  }

  static float[] finalWeights(String out) throws IOException {
    return weights(dir.resolve(out).resolve("final.safetensors"));
  }

  static float[] weights(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      List<Float> all = new ArrayList<>();
      for (SafeTensors.Tensor t : SafeTensors.read(in).tensors().values()) {
        if (t.dtype().equals("F32")) {
          for (float f : t.floats()) {
            all.add(f);
          }
        }
      }
      float[] out = new float[all.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = all.get(i);
      }
      return out;
    }
  }

  @Test
  void runsRoundsCheckpointsEvaluatesAndWritesItsOutputs() throws IOException {
    Map<String, Object> summary = FederateJob.execute(spark, spec("run"), false, false);
    Path out = dir.resolve("run");
    for (String f : List.of("_SUCCESS", "_SUMMARY.json", "final.safetensors", "metrics.csv",
        "metrics_per_label.csv", "charts/rounds.png", "rounds/00003/_COMPLETE", "rounds/00003/global.safetensors",
        "rounds/00001/state.json")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals(4, metrics.size());
    assertTrue(metrics.get(3).startsWith("3,4,0,"), metrics.get(3));
    assertEquals(SUMMARY_KEYS, List.copyOf(summary.keySet()), "every job's summary has one shape");
    assertEquals("federate", summary.get("job"));
    Map<?, ?> last = (Map<?, ?>) JobSummary.results(summary).get("final");
    double auc = ((Number) last.get("mean_auc")).doubleValue();
    assertTrue(auc > 0.5, "synthetic labels are learnable; mean AUC " + auc);
    assertEquals(14, ((Map<?, ?>) last.get("per_label")).size());
    assertEquals(14 * 3 + 1, Files.readAllLines(out.resolve("metrics_per_label.csv")).size());
  }

  @Test
  void resumeAfterAStopEndsWithTheSameWeights() throws IOException {
    FederateJob.execute(spark, spec("whole"), false, false);
    assertThrows(IllegalStateException.class, () -> FederateJob.execute(spark, spec("stopped"), false, false,
        FlTestHooks.stopAfterRound(2)));
    assertFalse(Files.exists(dir.resolve("stopped/_SUCCESS")));
    assertTrue(Files.exists(dir.resolve("stopped/rounds/00002/_COMPLETE")));
    Files.createDirectories(dir.resolve("stopped/rounds/.inprogress-3-leftover"));
    FederateJob.execute(spark, spec("stopped"), true, false);
    assertArrayEquals(finalWeights("whole"), finalWeights("stopped"));
    assertFalse(Files.exists(dir.resolve("stopped/rounds/.inprogress-3-leftover")));
    assertEquals(Files.readAllLines(dir.resolve("whole/metrics.csv")).size(),
        Files.readAllLines(dir.resolve("stopped/metrics.csv")).size());
  }

  @Test
  void aResumedRunNeedsNeitherItsInitFileNorTheWorkOfComputingIt() throws IOException {
    Path encoder = dir.resolve("resume-encoder.safetensors");
    saveFreshModel(encoder, dir.resolve("resume-whole.safetensors"));
    String[] sets = {"rounds=2", "init=ssl:" + encoder, "head_prior=true"};
    FederateJob.execute(spark, spec("ssl-whole", sets), false, false);
    assertThrows(IllegalStateException.class, () -> FederateJob.execute(spark, spec("ssl-stopped", sets), false,
        false, FlTestHooks.stopAfterRound(1)));
    Files.delete(encoder); // the checkpoint holds the weights; the init is not read again
    FederateJob.execute(spark, spec("ssl-stopped", sets), true, false);
    assertArrayEquals(finalWeights("ssl-whole"), finalWeights("ssl-stopped"));
    JobFailure e = assertThrows(JobFailure.class, () -> FederateJob.execute(spark, spec("ssl-fresh", sets), true,
        false));
    assertTrue(e.getMessage().contains(encoder.toString()), "with no checkpoint a resume starts from the init: "
        + e.getMessage());
  }

  /**
   * keep_checkpoints=1: older rounds lose their weights (global and the strategy's state) as each round completes, and
   * keep their reports and FedBN's per-client files, which later rounds may still read (half the clients sampled a
   * round); a run stopped after round 2 resumes to the same weights and tables as a run that keeps everything, and a
   * run stopped while keeping every round loses the older rounds' weights when resumed with keep_checkpoints=1.
   */
  @Test
  void keepCheckpointsDropsOlderRoundsWeightsOnlyAndAStoppedRunStillResumes() throws IOException {
    for (String strategy : List.of("fedbn", "fedadam")) {
      String[] sets = {"strategy=" + strategy, "client_fraction=0.5", "server_lr=0.05"};
      FederateJob.execute(spark, spec("all-" + strategy, sets), false, false);
      Spec kept = spec("kept-" + strategy, sets[0], sets[1], sets[2], "keep_checkpoints=1");
      assertThrows(IllegalStateException.class, () -> FederateJob.execute(spark, kept, false, false,
          FlTestHooks.stopAfterRound(2)));
      Path rounds = dir.resolve("kept-" + strategy + "/rounds");
      assertFalse(Files.exists(rounds.resolve("00001/global.safetensors")), strategy);
      assertFalse(Files.exists(rounds.resolve("00001/state.safetensors")), strategy);
      assertTrue(Files.exists(rounds.resolve("00002/global.safetensors")), strategy);
      FederateJob.execute(spark, kept, true, false);
      assertArrayEquals(finalWeights("all-" + strategy), finalWeights("kept-" + strategy), strategy);
      for (String table : List.of("metrics.csv", "client_metrics.csv")) {
        assertEquals(Files.readAllLines(dir.resolve("all-" + strategy).resolve(table)).size(),
            Files.readAllLines(dir.resolve("kept-" + strategy).resolve(table)).size(), strategy + " " + table);
      }
      for (int r = 1; r <= 3; r++) {
        Path round = rounds.resolve(String.format("%05d", r));
        assertEquals(r == 3, Files.exists(round.resolve("global.safetensors")), strategy + " round " + r);
        assertTrue(Files.exists(round.resolve("clients.csv")) && Files.exists(round.resolve("state.json")));
      }
    }
    // a run stopped while keeping every round, resumed keeping one: the older rounds' weights go at the resume
    String[] sets = {"strategy=fedadam", "client_fraction=0.5", "server_lr=0.05"};
    assertThrows(IllegalStateException.class, () -> FederateJob.execute(spark, spec("late-fedadam", sets), false,
        false, FlTestHooks.stopAfterRound(2)));
    Path late = dir.resolve("late-fedadam/rounds");
    assertTrue(Files.exists(late.resolve("00001/global.safetensors")) && Files.exists(late.resolve(
        "00001/state.safetensors")), "by default every round keeps its weights");
    FederateJob.execute(spark, spec("late-fedadam", sets[0], sets[1], sets[2], "keep_checkpoints=1"), true, false);
    assertArrayEquals(finalWeights("all-fedadam"), finalWeights("late-fedadam"));
    for (int r = 1; r <= 3; r++) {
      assertEquals(r == 3, Files.exists(late.resolve(String.format("%05d/global.safetensors", r))), "round " + r);
    }
    // every client's own BatchNorm state the run points to still exists, one of them in the pruned round 1
    List<String> bnFiles = Pattern.compile("\"([^\"]+/fedbn/client-\\d{5}\\.safetensors)\"")
        .matcher(Files.readString(dir.resolve("kept-fedbn/rounds/00003/state.json"))).results().map(m -> m.group(1))
        .toList();
    assertTrue(bnFiles.stream().anyMatch(f -> f.contains("/rounds/00001/")), bnFiles.toString());
    for (String f : bnFiles) {
      assertTrue(Files.exists(Path.of(URI.create(f))), f);
    }
  }

  @Test
  void aRetriedTaskGivesTheSameUpdateAndIsNoDropout() throws IOException {
    FederateJob.execute(spark, spec("calm", "rounds=2"), false, false);
    FederateJob.execute(spark, spec("retried", "rounds=2"), false, false, FlTestHooks.NO_OBSERVER,
        FlTestHooks.failFirstAttemptOfClient(1));
    assertTrue(FlTestHooks.failuresInjected() > 0, "the fault was injected");
    assertArrayEquals(finalWeights("calm"), finalWeights("retried"));
    assertTrue(Files.readAllLines(dir.resolve("retried/metrics.csv")).get(2).startsWith("2,4,0,"));
  }

  @Test
  void aClientFailingOnItsOwnIsADropoutAndTooFewClientsFailTheRound() throws IOException {
    FederateJob.execute(spark, spec("dropout", "rounds=1"), false, false, FlTestHooks.NO_OBSERVER,
        FlTestHooks.breakClient(2));
    String row = Files.readAllLines(dir.resolve("dropout/metrics.csv")).get(1);
    assertTrue(row.startsWith("1,3,1,"), row);
    assertTrue(Files.readString(dir.resolve("dropout/rounds/00001/state.json")).contains("client 2 broken"));
    JobFailure e = assertThrows(JobFailure.class, () -> FederateJob.execute(spark,
        spec("too-few", "rounds=1", "min_clients=4"), false, false, FlTestHooks.NO_OBSERVER,
        FlTestHooks.breakClient(2)));
    assertTrue(e.getMessage().contains("round 1") && e.getMessage().contains("2="), e.getMessage());
  }

  @Test
  void everyStrategyRuns() throws IOException {
    float[] fedavg = null;
    for (String strategy : List.of("fedavg", "fedprox", "fedadam", "fedyogi", "fedbn")) {
      FederateJob.execute(spark, spec("s-" + strategy, "rounds=2", "strategy=" + strategy, "prox_mu=0.5",
          "server_lr=0.05"), false, false);
      float[] w = finalWeights("s-" + strategy);
      if (fedavg == null) {
        fedavg = w;
      } else {
        assertFalse(Arrays.equals(fedavg, w), strategy + " equals fedavg");
      }
    }
    assertTrue(Files.exists(dir.resolve("s-fedbn/rounds/00002/fedbn/client-00003.safetensors")));
  }

  @Test
  void sslInitLoadsAnEncoderUnderAFreshHeadAndRejectsAWholeModel() throws Exception {
    Path encoder = dir.resolve("encoder.safetensors");
    Path whole = dir.resolve("whole.safetensors");
    float[] encoderWeights = saveFreshModel(encoder, whole);
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, 5);
        var in = Files.newInputStream(encoder)) {
      float[] init = g.load(in, true, 1f, Set.of());
      assertArrayEquals(encoderWeights, Arrays.copyOf(init, encoderWeights.length));
    }
    FederateJob.execute(spark, spec("ssl", "rounds=2", "init=ssl:" + encoder, "transfer.head_rounds=1"), false,
        false);
    assertTrue(Files.exists(dir.resolve("ssl/_SUCCESS")));
    Map<String, SafeTensors.Tensor> pretrained = tensors(encoder);
    Map<String, SafeTensors.Tensor> headRound = tensors(dir.resolve("ssl/rounds/00001/global.safetensors"));
    Map<String, SafeTensors.Tensor> fineTuned = tensors(dir.resolve("ssl/rounds/00002/global.safetensors"));
    for (var e : pretrained.entrySet()) {
      if (e.getValue().dtype().equals("F32")) {
        assertArrayEquals(e.getValue().floats(), headRound.get(e.getKey()).floats(), "round 1 trains the head "
            + "alone: " + e.getKey() + " kept");
      }
    }
    assertFalse(Arrays.equals(pretrained.get("conv1.weight").floats(),
        fineTuned.get("conv1.weight").floats()), "round 2 fine-tunes the encoder");
    JobFailure e = assertThrows(JobFailure.class, () -> FederateJob.execute(spark,
        spec("ssl-bad", "rounds=1", "init=ssl:" + whole), false, false));
    assertTrue(e.getMessage().contains("'fc.weight'"), e.getMessage());
  }

  @Test
  void pretrainedShareShrinksTheEncoderTowardsTheSeededRandomWeights() throws Exception {
    Path encoder = dir.resolve("share-encoder.safetensors");
    float[] pretrained = saveFreshModel(encoder, dir.resolve("share-whole.safetensors"));
    long seed = spec("unused").longValue("seed");
    float[] random;
    float[] quarter;
    float[] roundOne;
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, seed)) {
      random = g.current();
    }
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, seed); var in = Files.newInputStream(encoder)) {
      assertArrayEquals(random, g.load(in, true, 0f, Set.of()), "share 0 is the random initialisation");
    }
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, seed); var in = Files.newInputStream(encoder)) {
      quarter = g.load(in, true, 0.25f, Set.of());
      assertThrows(IllegalArgumentException.class, () -> g.load(Files.newInputStream(encoder), true, 1.5f, Set.of()));
    }
    assertFalse(Arrays.equals(random, Arrays.copyOf(pretrained, random.length)));
    for (int i = 0; i < random.length; i++) {
      float expected = i < pretrained.length ? 0.25f * pretrained[i] + 0.75f * random[i] : random[i];
      assertEquals(expected, quarter[i], "position " + i + (i < pretrained.length ? " (encoder)" : " (head)"));
    }
    FederateJob.execute(spark, spec("ssl-share", "rounds=1", "init=ssl:" + encoder, "transfer.head_rounds=1",
        "transfer.pretrained_share=0.25"), false, false);
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, seed)) {
      roundOne = g.fromSafetensors(Files.readAllBytes(dir.resolve("ssl-share/rounds/00001/global.safetensors")));
    }
    assertArrayEquals(Arrays.copyOf(quarter, pretrained.length), Arrays.copyOf(roundOne, pretrained.length),
        "the run starts from the shrunk encoder (round 1 trains the head alone)");
  }

  @Test
  void randomPartsStartFromTheSeededRandomWeightsAndTheRestFromThePretrainedOnes() throws Exception {
    Path encoder = dir.resolve("parts-encoder.safetensors");
    saveFreshModel(encoder, dir.resolve("parts-whole.safetensors"));
    Map<String, SafeTensors.Tensor> pretrained = tensors(encoder);
    long seed = spec("unused").longValue("seed");
    Map<String, SafeTensors.Tensor> random;
    Map<String, SafeTensors.Tensor> kept;
    Map<String, SafeTensors.Tensor> keptHalf;
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, seed); var in = Files.newInputStream(encoder)) {
      assertEquals(List.of("conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "conv4", "bn4"), g.encoderParts());
      random = tensors(g.toSafetensors(g.current(), Map.of()));
      kept = tensors(g.toSafetensors(g.load(in, true, 1f, Set.of("conv4", "bn4")), Map.of()));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> g.load(Files.newInputStream(encoder), true, 1f, Set.of("layer4")));
      assertTrue(e.getMessage().contains("[layer4]") && e.getMessage().contains("conv4"), e.getMessage());
    }
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, seed); var in = Files.newInputStream(encoder)) {
      keptHalf = tensors(g.toSafetensors(g.load(in, true, 0.5f, Set.of("conv4", "bn4")), Map.of()));
    }
    for (var e : random.entrySet()) {
      String name = e.getKey();
      if (!e.getValue().dtype().equals("F32")) {
        continue;
      }
      boolean fromRandom = name.startsWith("conv4.") || name.startsWith("bn4.") || name.startsWith("fc.");
      float[] expected = fromRandom ? e.getValue().floats() : pretrained.get(name).floats();
      assertArrayEquals(expected, kept.get(name).floats(), name + (fromRandom ? " random" : " pretrained"));
      if (!fromRandom) {
        float[] half = new float[expected.length];
        for (int i = 0; i < half.length; i++) {
          half[i] = 0.5f * expected[i] + 0.5f * e.getValue().floats()[i];
        }
        expected = half;
      }
      assertArrayEquals(expected, keptHalf.get(name).floats(), name + " with share 0.5");
    }
    assertFalse(Arrays.equals(random.get("conv4.weight").floats(), pretrained.get("conv4.weight").floats()));
    FederateJob.execute(spark, spec("ssl-parts", "rounds=1", "init=ssl:" + encoder, "transfer.head_rounds=1",
        "transfer.random_parts=conv4, bn4"), false, false);
    Map<String, SafeTensors.Tensor> roundOne = tensors(dir.resolve("ssl-parts/rounds/00001/global.safetensors"));
    for (String name : pretrained.keySet()) {
      if (pretrained.get(name).dtype().equals("F32")) {
        assertArrayEquals(kept.get(name).floats(), roundOne.get(name).floats(), "round 1 holds " + name + " as "
            + "loaded (it trains the head alone)");
      }
    }
    SpecException bad = assertThrows(SpecException.class, () -> FederateJob.execute(spark, spec("ssl-bad-part",
        "rounds=1", "init=ssl:" + encoder, "transfer.random_parts=conv4,layer4"), false, false));
    assertTrue(bad.getMessage().contains("'transfer.random_parts'") && bad.getMessage().contains("'layer4'")
        && bad.getMessage().contains("conv1, bn1"), bad.getMessage());
    assertFalse(Files.exists(dir.resolve("ssl-bad-part")), "a refused spec writes nothing");
  }

  @Test
  void transferOptionsLeaveARandomlyInitialisedRunUnchanged() throws IOException {
    FederateJob.execute(spark, spec("plain", "rounds=1"), false, false);
    FederateJob.execute(spark, spec("with-transfer", "rounds=1", "transfer.head_rounds=1",
        "transfer.frozen_bn=true", "transfer.encoder_lr_scale=0.1", "transfer.pretrained_share=0.5",
        "transfer.random_parts=conv4,bn4"), false, false);
    assertArrayEquals(finalWeights("plain"), finalWeights("with-transfer"));
  }

  @Test
  void headPriorStartsTheHeadBiasAtEachLabelsLogOddsOverTheClientsImages() throws IOException {
    List<Row> rows = spark.read().parquet(partitioned + "/clients").select("labels").collectAsList();
    float[] expected = new float[14];
    for (int k = 0; k < 14; k++) {
      long positives = 0;
      long known = 0;
      for (Row r : rows) {
        Float v = (Float) r.getList(0).get(k);
        positives += v != null && v == 1f ? 1 : 0;
        known += v != null && !v.isNaN() ? 1 : 0;
      }
      expected[k] = (float) Math.log((positives + 0.5) / (known - positives + 0.5));
    }
    assertTrue(expected[0] != expected[1] || expected[1] != expected[2], "labels of different shares");
    // the clients barely move the weights at this rate: round 1's global bias is the starting one
    FederateJob.execute(spark, spec("prior", "rounds=1", "learning_rate=1e-8", "head_prior=true"), false, false);
    FederateJob.execute(spark, spec("no-prior", "rounds=1", "learning_rate=1e-8"), false, false);
    float[] withPrior = tensors(dir.resolve("prior/rounds/00001/global.safetensors")).get("fc.bias").floats();
    float[] without = tensors(dir.resolve("no-prior/rounds/00001/global.safetensors")).get("fc.bias").floats();
    assertArrayEquals(expected, withPrior, 1e-4f);
    for (float b : without) {
      assertEquals(0f, b, 1e-4f, "the head's bias starts at 0 without the prior");
    }
    SpecException onGlobal = assertThrows(SpecException.class, () -> spec("prior-global", "init=global:x.safetensors",
        "head_prior=true"));
    assertTrue(onGlobal.getMessage().contains("'head_prior'"), onGlobal.getMessage());
  }

  /**
   * The job runs libtorch only on its lanes, on the driver (initial weights, checkpoints, evaluation) as in Spark's
   * tasks: neither the thread that runs it nor any other thread but the lanes is left with an OpenMP team
   * (TorchThread says why). ResNet-18, whose initialisation has ops large enough to run in parallel. The same for
   * the jobs that score a model: {@code evaluate} on its weights and {@code probe} on a random ResNet-18 encoder.
   */
  @Test
  void noThreadButTheLanesIsLeftWithAnOpenMpTeam() throws InterruptedException {
    Spec s = spec("lanes", "architecture=resnet18", "rounds=1");
    Spec evaluate = JobSpecs.schema("evaluate").load(null, List.of("weights=" + dir.resolve("lanes/final.safetensors"),
        "input=" + ingested, "output=" + dir.resolve("lanes-evaluated")));
    Spec probe = JobSpecs.schema("probe").load(null, List.of("encoder=random", "architecture=resnet18",
        "input=" + ingested, "output=" + dir.resolve("lanes-probe")));
    Map<String, Long> before = NativeThreads.keptOffLanes("fedcxr-torch");
    assertEquals(0, NativeThreads.keptBy("federate-caller", () -> FederateJob.execute(spark, s, false, false)));
    assertEquals(0, NativeThreads.keptBy("evaluate-caller", () -> EvaluateJob.execute(spark, evaluate)));
    assertEquals(0, NativeThreads.keptBy("probe-caller", () -> ProbeJob.execute(spark, probe)));
    Map<String, Long> more = new TreeMap<>(); // a team of an earlier test's thread may have ended since: not counted
    NativeThreads.keptOffLanes("fedcxr-torch").forEach((name, n) -> {
      if (n > before.getOrDefault(name, 0L)) {
        more.put(name, n - before.getOrDefault(name, 0L));
      }
    });
    assertEquals(Map.of(), more, "threads kept by other threads than the lanes");
  }

  /** Saves a freshly initialised small classifier's encoder and whole model; returns the encoder's flat weights. */
  private static float[] saveFreshModel(Path encoder, Path whole) throws IOException {
    try (var m = NDManager.newBaseManager()) {
      Classifier c = Classifier.of(Architecture.SMALL, 14);
      c.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
      try (var out = Files.newOutputStream(encoder)) {
        Weights.save(c.encoder(), "small", Map.of("kind", "encoder"), out);
      }
      try (var out = Files.newOutputStream(whole)) {
        Weights.save(c, "small", Map.of(), out);
      }
      return StateDict.flatten(c.encoder());
    }
  }

  private static Map<String, SafeTensors.Tensor> tensors(Path file) throws IOException {
    return tensors(Files.readAllBytes(file));
  }

  private static Map<String, SafeTensors.Tensor> tensors(byte[] safetensors) throws IOException {
    return SafeTensors.read(new ByteArrayInputStream(safetensors)).tensors();
  }

  @Test
  void evaluateJobScoresACheckpointWithTheSameResult() throws IOException {
    Map<String, Object> run = FederateJob.execute(spark, spec("to-evaluate", "rounds=1"), false, false);
    Map<String, Object> eval = EvaluateJob.execute(spark, JobSpecs.schema("evaluate").load(null, List.of(
        "weights=" + dir.resolve("to-evaluate/final.safetensors"), "input=" + ingested,
        "output=" + dir.resolve("evaluated"))));
    Map<?, ?> results = (Map<?, ?>) eval.get("results");
    assertNotNull(results.get("mean_auc"));
    assertEquals(((Map<?, ?>) JobSummary.results(run).get("final")).get("mean_auc"), results.get("mean_auc"));
    assertEquals(SUMMARY_KEYS, List.copyOf(eval.keySet()));
    assertEquals("small", results.get("architecture"));
    assertTrue(Files.exists(dir.resolve("evaluated/predictions/_SUCCESS")));
    Map<?, ?> meta = (Map<?, ?>) results.get("weights_metadata");
    assertEquals(String.join(",", SyntheticXrays.LABELS), meta.get("labels"));
    assertEquals("32", meta.get("image_size"), "what predict resizes new images to");
  }
}
