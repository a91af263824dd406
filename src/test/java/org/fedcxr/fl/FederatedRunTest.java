package org.fedcxr.fl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.EvaluationResult;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.train.Augmenter;
import org.fedcxr.train.ClientGroups;
import org.fedcxr.train.LabelledImage;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.LocalTrainer;
import org.fedcxr.train.RunStore;
import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.TrainingListener;
import org.fedcxr.train.WeightedMean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** Aggregation on the executors: G partial sums, bit-identical to the client-ordered reference for the same G. */
class FederatedRunTest {
  private static final int CLIENTS = 1000;
  private static final int PER_CLIENT = 2;
  private static final int SIZE = 16;
  private static final long SEED = 7;
  /** A client with no rows: reported as dropped every round, left out of the sums. */
  private static final int EMPTY = 500;

  @TempDir
  static Path dir;
  static SparkSession spark;
  static List<List<LabelledImage>> images;
  static Dataset<Row> rows;
  /** The clients' training; its threads are what a task's training gets in local mode, so the reference's match. */
  static TrainConfig train;

  @BeforeAll
  static void start() {
    spark = SparkTests.start("local[2,4]");
    train = TrainConfig.builder().setBatchSize(2).setEpochs(1).optAugmenter(Augmenter.NONE)
        .optThreads(spark.sparkContext().getConf().getInt("spark.executor.cores",
            Runtime.getRuntime().availableProcessors())).build();
    images = new ArrayList<>();
    List<Row> all = new ArrayList<>();
    var rnd = Seeds.random(SEED, "test-images");
    for (int c = 0; c < CLIENTS; c++) {
      List<LabelledImage> own = new ArrayList<>();
      for (int i = 0; i < (c == EMPTY ? 0 : PER_CLIENT); i++) {
        byte[] px = new byte[SIZE * SIZE];
        for (int p = 0; p < px.length; p++) {
          px[p] = (byte) rnd.nextInt(256);
        }
        float[] labels = new float[14];
        labels[rnd.nextInt(14)] = 1f;
        String id = "c" + c + "-" + i;
        own.add(new LabelledImage(id, SIZE, SIZE, px, labels));
        Float[] boxed = new Float[14];
        for (int k = 0; k < 14; k++) {
          boxed[k] = labels[k];
        }
        all.add(RowFactory.create(id, SIZE, SIZE, px, Arrays.asList(boxed), c));
      }
      images.add(own);
    }
    StructType schema = new StructType().add("image_id", DataTypes.StringType).add("height", DataTypes.IntegerType)
        .add("width", DataTypes.IntegerType).add("pixels", DataTypes.BinaryType)
        .add("labels", DataTypes.createArrayType(DataTypes.FloatType)).add("client_id", DataTypes.IntegerType);
    rows = spark.createDataFrame(all, schema).repartition(3);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static FederatedRun.Settings settings(int rounds, int groups) {
    return new FederatedRun.Settings(SEED, rounds, 1.0, 1, "small", 14, train, Integer.MAX_VALUE, 0, groups, 0);
  }

  private static float[] federate(String name, int rounds, int groups, List<RoundReport> history) {
    RunStore store = new RunStore(dir.resolve(name).toUri().toString(), spark.sparkContext().hadoopConfiguration());
    try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, SEED)) {
      FederatedRun run = new FederatedRun(new JavaSparkContext(spark.sparkContext()), settings(rounds, groups), model,
          Strategy.named("fedavg", new Strategy.Options(0f, 0f, model.runningStatMask())), store);
      int g = run.groups(CLIENTS, false);
      JavaPairRDD<Integer, Row> byClient = FederatedRun.byClient(rows, CLIENTS, g);
      try {
        assertEquals(groups, byClient.getNumPartitions());
        return run.run(byClient, CLIENTS, model::current, false, (r, w) -> EvaluationResult.NONE,
            FlTestHooks.NO_OBSERVER, history);
      } finally {
        byClient.unpersist();
      }
    }
  }

  /** The same rounds on the driver: every client trained in client order, summed group by group, groups in order. */
  private static float[] reference(int rounds, int groups) {
    try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, SEED)) {
      Strategy fedavg = Strategy.named("fedavg", new Strategy.Options(0f, 0f, model.runningStatMask()));
      ClientGroups partitioner = new ClientGroups(CLIENTS, groups);
      float[] global = model.current();
      for (int round = 1; round <= rounds; round++) {
        WeightedMean total = new WeightedMean(global.length);
        WeightedMean group = null;
        int current = -1;
        for (int c = 0; c < CLIENTS; c++) {
          if (partitioner.getPartition(c) != current) {
            if (group != null) {
              total.addSum(group.sumBytes(), group.samples());
            }
            group = new WeightedMean(global.length);
            current = partitioner.getPartition(c);
          }
          if (images.get(c).isEmpty()) {
            continue;
          }
          try (LocalShard shard = LocalShard.spool(images.get(c).iterator(), dir)) {
            LocalTrainer.Result r = new LocalTrainer(Architecture.SMALL, 14, train).train(global, shard,
                Seeds.derive(SEED, "round", Integer.toString(round), "client", Integer.toString(c)), Device.cpu());
            group.add(r.weights(), r.samples());
          }
        }
        total.addSum(group.sumBytes(), group.samples());
        global = fedavg.merge(global, total.mean());
      }
      return global;
    }
  }

  @Test
  void aThousandClientsMergeToTheClientOrderedReferenceBitForBit() {
    List<RoundReport> history = new ArrayList<>();
    float[] merged = federate("thousand", 2, 8, history);
    assertArrayEquals(reference(2, 8), merged);
    assertEquals(CLIENTS - 1, history.get(1).ok().size());
    assertEquals(Set.of(EMPTY), history.get(1).dropped().keySet());
    assertTrue(history.get(1).dropped().get(EMPTY).startsWith("no rows"), history.get(1).dropped().toString());
    String table = new String(new RunStore(dir.resolve("thousand").toUri().toString(),
        spark.sparkContext().hadoopConfiguration()).read(2, "clients.csv"), StandardCharsets.UTF_8);
    String[] lines = table.split("\n");
    assertEquals(FederatedRun.CLIENTS_HEADER, lines[0]);
    assertEquals(CLIENTS + 1, lines.length);
    assertTrue(lines[1].startsWith("2,0,2,1,") && lines[1].endsWith(",ok"), lines[1]);
    assertTrue(lines[CLIENTS].startsWith("2,999,2,1,"), lines[CLIENTS]);
    assertTrue(lines[EMPTY + 1].startsWith("2," + EMPTY + ",0,0,,") && lines[EMPTY + 1].contains("dropped: no rows"),
        lines[EMPTY + 1]);
  }

  /**
   * FedBN: each client starts every round from the global weights with its own BatchNorm layers (weights and
   * statistics) from its previous round, and what it trained of them is kept for it; the global model is the mean
   * of every entry. Six clients, two rounds, against the same rounds on the driver, bit for bit; the same rounds
   * with BatchNorm averaged like the rest (FedAvg) end elsewhere.
   */
  @Test
  void fedBnKeepsEachClientsOwnBatchNormLayersBetweenRounds() {
    int k = 6;
    RunStore store = new RunStore(dir.resolve("fedbn").toUri().toString(), spark.sparkContext().hadoopConfiguration());
    float[] merged;
    boolean[] bn;
    try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, SEED)) {
      bn = model.batchNormMask();
      FederatedRun run = new FederatedRun(new JavaSparkContext(spark.sparkContext()), settings(2, 1), model,
          Strategy.named("fedbn", new Strategy.Options(0f, 0f, model.runningStatMask())), store);
      JavaPairRDD<Integer, Row> byClient = FederatedRun.byClient(rows.filter("client_id < " + k), k, 1);
      try {
        merged = run.run(byClient, k, model::current, false, (r, w) -> EvaluationResult.NONE, FlTestHooks.NO_OBSERVER,
            new ArrayList<>());
      } finally {
        byClient.unpersist();
      }
    }
    float[][] own = new float[k][];
    float[] fedBn = driverRounds(k, bn, own);
    assertArrayEquals(fedBn, merged);
    for (int c = 0; c < k; c++) {
      float[] kept = RunStore.vectors(store.read(2, String.format("fedbn/client-%05d.safetensors", c)))
          .get("batchnorm");
      float[] expected = new float[kept.length];
      for (int i = 0, j = 0; i < bn.length; i++) {
        if (bn[i]) {
          expected[j++] = own[c][i];
        }
      }
      assertArrayEquals(expected, kept, "client " + c + "'s BatchNorm layers after round 2");
    }
    assertFalse(Arrays.equals(fedBn, driverRounds(k, new boolean[bn.length], new float[k][])),
        "keeping BatchNorm local must change the result");
  }

  /**
   * Two rounds of clients 0..k-1 in one group on the driver; entries flagged in {@code local} start from the
   * client's own weights of its previous round, which {@code own} receives.
   */
  private static float[] driverRounds(int k, boolean[] local, float[][] own) {
    try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, SEED)) {
      float[] global = model.current();
      for (int round = 1; round <= 2; round++) {
        WeightedMean group = new WeightedMean(global.length);
        for (int c = 0; c < k; c++) {
          float[] start = global.clone();
          for (int i = 0; own[c] != null && i < start.length; i++) {
            start[i] = local[i] ? own[c][i] : start[i];
          }
          try (LocalShard shard = LocalShard.spool(images.get(c).iterator(), dir)) {
            LocalTrainer.Result r = new LocalTrainer(Architecture.SMALL, 14, train).train(start, shard,
                Seeds.derive(SEED, "round", Integer.toString(round), "client", Integer.toString(c)), Device.cpu());
            own[c] = r.weights();
            group.add(r.weights(), r.samples());
          }
        }
        WeightedMean total = new WeightedMean(global.length);
        total.addSum(group.sumBytes(), group.samples());
        global = total.mean();
      }
      return global;
    }
  }

  @Test
  void groupsAreConsecutiveClientsAndABadCountIsRefused() {
    ClientGroups g = new ClientGroups(10, 3);
    int[] of = new int[10];
    for (int c = 0; c < 10; c++) {
      of[c] = g.getPartition(c);
    }
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, of);
    for (int k : new int[] {1, 7, 10, 999, 1000}) {
      for (int groups : new int[] {1, 2, 3, 7, k}) {
        if (groups <= k) {
          ClientGroups cg = new ClientGroups(k, groups);
          assertEquals(0, cg.firstClient(0));
          assertEquals(k, cg.firstClient(groups));
          for (int c = 0; c < k; c++) {
            int p = cg.getPartition(c);
            assertTrue(cg.firstClient(p) <= c && c < cg.firstClient(p + 1), k + "/" + groups + ": client " + c);
          }
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new ClientGroups(10, 11));
    assertThrows(IllegalArgumentException.class, () -> g.getPartition(10));
    RunStore store = new RunStore(dir.resolve("too-many").toUri().toString(),
        spark.sparkContext().hadoopConfiguration());
    try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, SEED)) {
      FederatedRun run = new FederatedRun(new JavaSparkContext(spark.sparkContext()), settings(1, 20), model,
          Strategy.named("fedavg", new Strategy.Options(0f, 0f, model.runningStatMask())), store);
      JobFailure e = assertThrows(JobFailure.class, () -> run.groups(10, false));
      assertTrue(e.getMessage().contains("groups=20"), e.getMessage());
      FederatedRun auto = new FederatedRun(new JavaSparkContext(spark.sparkContext()), settings(1, 0), model,
          Strategy.named("fedavg", new Strategy.Options(0f, 0f, model.runningStatMask())), store);
      assertEquals(1, auto.groups(10, false), "local mode: one JVM trains one client at a time, one group");
    }
  }

  /**
   * With a round deadline, a client still training when it passes stops after its step and is dropped, the clients
   * its task had not started are dropped, the other group's clients count; {@code min_clients} decides whether the
   * round stands.
   */
  @Test
  void aRoundDeadlineDropsTheClientsStillTrainingOrNotStartedAndMinClientsDecides() {
    int k = 40;
    Dataset<Row> some = rows.filter("client_id < " + k);
    // past the 15 s deadline; the other group's 20 small clients need a few seconds on a busy machine (5 s was once
    // too short for them while another JVM trained beside the tests)
    ClientHooks straggler = FlTestHooks.slowClient(0, 15_500);
    for (int minClients : new int[] {1, 30}) {
      RunStore store = new RunStore(dir.resolve("deadline-" + minClients).toUri().toString(),
          spark.sparkContext().hadoopConfiguration());
      FederatedRun.Settings s = new FederatedRun.Settings(SEED, 1, 1.0, minClients, "small", 14, train,
          Integer.MAX_VALUE, 0, 2, 15.0);
      try (GlobalModel model = new GlobalModel(Architecture.SMALL, 14, SEED)) {
        FederatedRun run = new FederatedRun(new JavaSparkContext(spark.sparkContext()), s, model,
            Strategy.named("fedavg", new Strategy.Options(0f, 0f, model.runningStatMask())), store)
            .optClientHooks(straggler);
        JavaPairRDD<Integer, Row> byClient = FederatedRun.byClient(some, k, 2);
        List<RoundReport> history = new ArrayList<>();
        try {
          if (minClients == 30) {
            JobFailure e = assertThrows(JobFailure.class, () -> run.run(byClient, k, model::current, false,
                (r, w) -> EvaluationResult.NONE, FlTestHooks.NO_OBSERVER, history));
            assertTrue(e.getMessage().contains("only 20 of 40") && e.getMessage().contains("min_clients is 30"),
                e.getMessage());
            continue;
          }
          float[] initial = model.current();
          float[] merged = run.run(byClient, k, () -> initial, false, (r, w) -> EvaluationResult.NONE,
              FlTestHooks.NO_OBSERVER, history);
          RoundReport r = history.get(0);
          assertTrue(r.dropped().get(0).startsWith("deadline: still training"), r.dropped().toString());
          for (int c = 1; c < 20; c++) {
            assertTrue(r.dropped().get(c).startsWith("deadline: not started"), c + ": " + r.dropped().get(c));
          }
          assertEquals(20, r.dropped().size(), r.dropped().toString());
          assertEquals(IntStream.range(20, 40).boxed().toList(), r.ok());
          assertFalse(Arrays.equals(initial, merged));
        } finally {
          byClient.unpersist();
        }
      }
    }
  }

  /** Clients done = the finished tasks' (the accumulator) plus the running tasks' last heartbeat counts. */
  @Test
  void progressCountsFinishedTasksAndRunningTasksFromHeartbeats() {
    LongAccumulator done = spark.sparkContext().longAccumulator("test clients done");
    List<Long> told = new ArrayList<>();
    TrainingListener<RoundReport> progress = new TrainingListener<>() {
      @Override
      public void onProgress(int round, long n, int total) {
        assertEquals(3, round);
        assertEquals(10, total);
        told.add(n);
      }
    };
    ClientProgress watch = new ClientProgress(done, 10, 3, progress, 0);
    done.add(2); // a finished task's two clients
    watch.onExecutorMetricsUpdate(heartbeat(7L, done.id(), 3L));
    watch.onExecutorMetricsUpdate(heartbeat(8L, done.id() + 1000, 9L)); // another accumulator: ignored
    assertEquals(5, watch.done());
    watch.onExecutorMetricsUpdate(heartbeat(7L, done.id(), 4L));
    assertEquals(6, watch.done());
    done.add(5);
    watch.taskEnded(7L); // its 5 clients are now in the accumulator
    assertEquals(7, watch.done());
    assertEquals(List.of(5L, 5L, 6L, 7L), told); // one report per event at an interval of 0
  }

  private static SparkListenerExecutorMetricsUpdate heartbeat(long taskId, long accumulatorId, long value) {
    AccumulableInfo info = new AccumulableInfo(accumulatorId, Option.apply("x"), Option.apply(value),
        Option.apply(value), false, false, Option.empty());
    Seq<AccumulableInfo> infos = CollectionConverters.asScala(List.of(info)).toList();
    Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task =
        new Tuple4<>(taskId, 1, 0, infos);
    return new SparkListenerExecutorMetricsUpdate("0", CollectionConverters.asScala(List.of(task)).toList(),
        scala.collection.immutable.Map$.MODULE$.empty());
  }
}
