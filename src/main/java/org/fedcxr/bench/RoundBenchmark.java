package org.fedcxr.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.config.Spec;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.fl.FederatedRun;
import org.fedcxr.fl.GlobalModel;
import org.fedcxr.fl.RoundReport;
import org.fedcxr.fl.Strategy;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.EvaluationResult;
import org.fedcxr.train.LocalTrainer;
import org.fedcxr.train.RunStore;
import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.TrainingListener;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code rounds} suite of {@code bench}: FedAvg rounds over {@code clients} synthetic clients (generated on the
 * executors), checkpointing every round as a real run does, with no test-set evaluation. Per round: wall time, client
 * training time per executor slot, the overhead share (the rest: scheduling, broadcast, fetching and merging the
 * updates, checkpoint), and the driver's used heap after the round; and the bytes of partial sums the driver
 * receives per round (G × 8 × parameters). Before the rounds, the same model trains alone
 * on the driver as in the {@code train} suite (same size, batch and threads): a round's images/s (all clients'
 * images over the round's wall time) as a share of that figure says how much of the machine a round uses.
 */
final class RoundBenchmark {
  private RoundBenchmark() {
  }

  static Map<String, Object> run(SparkSession spark, Spec spec, Path dir) {
    int k = spec.integer("clients");
    int per = spec.integer("images_per_client");
    int size = spec.integer("image_size");
    long seed = spec.longValue("seed");
    Architecture arch = Architecture.named(spec.string("architecture"));
    StructType schema = new StructType().add("image_id", DataTypes.StringType).add("height", DataTypes.IntegerType)
        .add("width", DataTypes.IntegerType).add("pixels", DataTypes.BinaryType)
        .add("labels", DataTypes.createArrayType(DataTypes.FloatType)).add("client_id", DataTypes.IntegerType);
    MapFunction<Long, Row> makeRow = i -> {
      SyntheticXrays.Sample s = SyntheticXrays.sample(Math.toIntExact(i), size, 1, seed);
      Float[] labels = new Float[14];
      Arrays.fill(labels, 0f);
      s.labels().forEach(l -> labels[l] = 1f);
      return new GenericRowWithSchema(new Object[] {s.fileName(), size, size, s.image().pixels(),
          CollectionConverters.asScala(Arrays.asList(labels)).toList(), (int) (i % k)},
          schema);
    };
    Dataset<Row> rows = spark.range((long) k * per).as(Encoders.LONG()).map(makeRow, Encoders.row(schema));
    LocalTrainer.Result alone = TrainBenchmark.timedRun(arch, size, spec);
    double aloneImagesPerSecond = alone.samples() / alone.lastEpochSeconds();
    TrainConfig train = TrainConfig.builder().setBatchSize(spec.integer("batch_size")).setEpochs(1)
        .optThreads(spec.integer("threads")).build();
    FederatedRun.Settings settings = new FederatedRun.Settings(seed, spec.integer("rounds"), 1.0, k, arch.name(), 14,
        train, Integer.MAX_VALUE, 0, spec.integer("groups"), 0);
    List<Double> heap = new ArrayList<>();
    List<RoundReport> history = new ArrayList<>();
    JavaPairRDD<Integer, Row> byClient = null;
    int groups;
    int parameters;
    try (GlobalModel model = new GlobalModel(arch, 14, seed)) {
      parameters = model.current().length;
      RunStore store = new RunStore(dir.resolve("rounds-run").toUri().toString(),
          spark.sparkContext().hadoopConfiguration());
      FederatedRun run = new FederatedRun(new JavaSparkContext(spark.sparkContext()), settings, model,
          Strategy.named("fedavg", new Strategy.Options(0f, 0f, model.runningStatMask())), store);
      groups = run.groups(k, false);
      byClient = FederatedRun.byClient(rows, k, groups);
      byClient.count();
      run.run(byClient, k, model::current, false, (round, weights) -> EvaluationResult.NONE,
          new TrainingListener<>() {
            @Override
            public void onCheckpoint(RoundReport r, int rounds, double elapsed, double left) {
              System.gc();
              heap.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1e6);
            }
          }, history);
    } finally {
      if (byClient != null) {
        byClient.unpersist();
      }
    }
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("architecture", arch.name());
    results.put("clients", k);
    results.put("groups", groups);
    results.put("sum_bytes_to_driver_per_round", 8L * parameters * groups);
    results.put("images_per_client", per);
    results.put("image_size", size);
    results.put("executor_slots", spark.sparkContext().defaultParallelism());
    List<Map<String, Object>> perRound = new ArrayList<>();
    double seconds = 0;
    double trainPerSlot = 0;
    double slowestGroup = 0;
    for (int i = 0; i < history.size(); i++) {
      RoundReport r = history.get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("round", r.round());
      m.put("seconds", r.seconds());
      m.put("train_seconds_per_slot", r.trainSecondsPerSlot());
      m.put("overhead_share", r.overheadShare());
      m.put("driver_heap_mb", heap.get(i));
      m.put("phases", r.phases());
      perRound.add(m);
      if (i > 0) {
        seconds += r.seconds();
        trainPerSlot += r.trainSecondsPerSlot();
        slowestGroup += r.phases().get("slowest_group");
      }
    }
    results.put("per_round", perRound);
    results.put("round_seconds_after_warmup", seconds / (history.size() - 1));
    results.put("overhead_share_after_warmup", (seconds - trainPerSlot) / seconds);
    results.put("overhead_vs_slowest_group_after_warmup", (seconds - slowestGroup) / seconds);
    double roundImagesPerSecond = (double) k * per * (history.size() - 1) / seconds;
    results.put("round_img_per_s_after_warmup", roundImagesPerSecond);
    results.put("train_suite_img_per_s", aloneImagesPerSecond);
    results.put("round_img_per_s_share_of_train_suite", roundImagesPerSecond / aloneImagesPerSecond);
    results.put("driver_heap_mb_max", heap.isEmpty() ? 0.0 : Collections.max(heap));
    return results;
  }
}
