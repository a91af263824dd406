package org.fedcxr.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;
import org.fedcxr.data.ImagesTable;
import org.fedcxr.eval.Evaluator;
import org.fedcxr.eval.MetricsTables;
import org.fedcxr.fl.ClientHooks;
import org.fedcxr.fl.FederatedRun;
import org.fedcxr.fl.GlobalModel;
import org.fedcxr.fl.LabelPrior;
import org.fedcxr.fl.RoundReport;
import org.fedcxr.train.Devices;
import org.fedcxr.train.RunStore;
import org.fedcxr.fl.Strategy;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.DiseaseScorer;
import org.fedcxr.model.Weights;
import org.fedcxr.report.RoundChart;
import org.fedcxr.train.Augmenter;
import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code federate}: federated training over the clients of a partition output, evaluated on an ingest output's test
 * split. Writes a run store (checkpoint per round) and, at the end, {@code final.safetensors}, metrics CSVs, a chart,
 * {@code _SUMMARY.json} and {@code _SUCCESS}. {@code --resume} continues from the last complete round.
 */
@Command(name = "federate", description = "Federated training: executors as clients, FedAvg on the driver.")
public final class FederateJob extends JobCommand {
  @Option(names = "--resume", description = "continue the run in the output from its last complete round")
  boolean resume;

  @Override
  void run(SparkSession spark, Spec spec) {
    execute(spark, spec, resume, true);
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec, boolean resume, boolean print) {
    return execute(spark, spec, resume, print, new TrainingListener<>() { });
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec, boolean resume, boolean print,
      TrainingListener<RoundReport> observer) {
    return execute(spark, spec, resume, print, observer, ClientHooks.NONE);
  }

  /**
   * Runs the job, telling {@code observer} of every round once it is checkpointed (after the job's own progress
   * line; an exception the observer throws stops the run there, as a driver failure would), with {@code hooks}
   * around every client on the executors (fault drills).
   */
  static Map<String, Object> execute(SparkSession spark, Spec spec, boolean resume, boolean print,
      TrainingListener<RoundReport> observer, ClientHooks hooks) {
    Instant started = Instant.now();
    int trainingThreads = Devices.checkedTrainingThreads(spark.sparkContext().getConf()); // results depend on it
    String input = JobOutput.requireComplete(spec.string("input"), "partition",
        spark.sparkContext().hadoopConfiguration());
    String testInput = JobOutput.requireComplete(spec.string("test"), "ingest",
        spark.sparkContext().hadoopConfiguration());
    Dataset<Row> clients = spark.read().parquet(input + "/clients");
    List<String> labels = ImagesTable.labelNames(clients);
    int k = clients.agg(max(col("client_id"))).first().getInt(0) + 1;
    Dataset<Row> test = spark.read().parquet(testInput + "/images")
        .filter(col("split").equalTo(spec.string("eval_split")));
    Architecture arch = Architecture.named(spec.string("architecture"));
    long seed = spec.longValue("seed");
    boolean transfer = spec.string("init").startsWith("ssl:"); // the transfer.* keys shape fine-tuning an encoder
    TrainConfig train = TrainConfig.builder().optOptimizer(spec.string("optimizer"))
        .optLearningRate((float) spec.number("learning_rate")).optMomentum((float) spec.number("momentum"))
        .optWeightDecay((float) spec.number("weight_decay")).optSchedule(spec.string("schedule"))
        .optClipNorm((float) spec.number("clip_norm")).setBatchSize(spec.integer("batch_size"))
        .setEpochs(spec.integer("local_epochs")).optClassWeighted(spec.bool("class_weighted"))
        .optAugmenter(spec.bool("augment") ? Augmenter.DEFAULT : Augmenter.NONE)
        .optThreads(spec.integer("threads"))
        .optEncoderLrScale(transfer ? (float) spec.number("transfer.encoder_lr_scale") : 1f)
        .optFrozenBatchNorm(transfer && spec.bool("transfer.frozen_bn"))
        .optStandardizeHead(transfer && spec.bool("transfer.head_standardize")).build();
    FederatedRun.Settings settings = new FederatedRun.Settings(seed, spec.integer("rounds"),
        spec.number("client_fraction"), spec.integer("min_clients"), arch.name(), labels.size(), train,
        spec.integer("eval_every"), transfer ? spec.integer("transfer.head_rounds") : 0, spec.integer("groups"),
        spec.number("round_deadline"));
    RunStore store = new RunStore(Locations.resolve(spec.string("output")),
        spark.sparkContext().hadoopConfiguration());
    List<RoundReport> history = new ArrayList<>();
    JavaPairRDD<Integer, Row> byClient = null;
    int groups;
    try (GlobalModel model = new GlobalModel(arch, labels.size(), seed)) {
      Set<String> randomParts = transfer ? randomParts(spec, model) : Set.of(); // a bad name fails before any work
      Supplier<float[]> initial = () -> {
        float[] weights = initialWeights(spark, model, spec, transfer, randomParts);
        return spec.bool("head_prior") ? model.withHeadBias(weights, LabelPrior.logOdds(clients, labels.size()))
            : weights;
      };
      Strategy strategy = Strategy.named(spec.string("strategy"), new Strategy.Options(
          (float) spec.number("server_lr"), (float) spec.number("prox_mu"), model.runningStatMask()));
      int evalBatch = spec.integer("eval_batch_size");
      FederatedRun.Evaluation evaluation = (round, weights) -> {
        DiseaseScorer scorer = DiseaseScorer.fromBytes(spark, weights, arch, labels.size(), evalBatch);
        try {
          return Evaluator.evaluate(test, scorer, labels);
        } finally {
          scorer.release();
        }
      };
      TrainingListener<RoundReport> listener = new TrainingListener<>() {
        @Override
        public void onCheckpoint(RoundReport r, int rounds, double elapsed, double left) {
          if (print) {
            System.out.printf("federate: round %d/%d  clients %d/%d ok, %d dropped  loss %.4f  mean AUC %s  "
                    + "%.1fs elapsed  ~%.0fs left%n", r.round(), rounds, r.ok().size(),
                r.ok().size() + r.dropped().size(), r.dropped().size(), r.meanLoss(),
                Double.isNaN(r.meanAuc()) ? "-" : String.format("%.4f", r.meanAuc()), elapsed, left);
          }
          observer.onCheckpoint(r, rounds, elapsed, left);
        }

        @Override
        public void onProgress(int round, long done, int total) {
          if (print) {
            System.out.printf("federate: round %d  clients %d/%d done%n", round, done, total);
          }
          observer.onProgress(round, done, total);
        }
      };
      FederatedRun run = new FederatedRun(new JavaSparkContext(spark.sparkContext()), settings, model, strategy,
          store).optClientHooks(hooks).optKeptCheckpoints(spec.integer("keep_checkpoints"));
      groups = run.groups(k, resume);
      byClient = FederatedRun.byClient(clients, k, groups);
      float[] last = run.run(byClient, k, initial, resume, evaluation, listener, history);
      store.writeTop("final.safetensors", model.toSafetensors(last, Map.of("rounds",
          Integer.toString(spec.integer("rounds")), "init", spec.string("init"), "strategy", spec.string("strategy"),
          Weights.LABELS, String.join(",", labels), Weights.IMAGE_SIZE,
          Integer.toString(clients.select("height").first().getInt(0)))));
    } finally {
      if (byClient != null) {
        byClient.unpersist();
      }
    }
    store.writeTop("metrics.csv", MetricsTables.rounds(history));
    store.writeTop("client_metrics.csv", clientMetrics(store, history));
    store.writeTop("metrics_per_label.csv", MetricsTables.perLabel(history, labels));
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      RoundChart.writePng(history, "federate (" + arch.name() + ", " + spec.string("strategy") + ", K=" + k + ")",
          png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    store.writeTop("charts/rounds.png", png.toByteArray());
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("resumed", resume);
    results.put("clients", k);
    results.put("groups", groups);
    results.put("training_threads", trainingThreads);
    results.put("label_names", labels);
    results.put("rounds", history);
    results.put("final", history.isEmpty() ? Map.of() : history.get(history.size() - 1).evaluation().toMap());
    Map<String, Object> summary = JobSummary.of(spec, store.location(), started, results);
    store.writeTop(JobOutput.SUMMARY, JobOutput.json(summary));
    store.writeTop(JobOutput.SUCCESS, new byte[0]);
    if (print) {
      System.out.println("federate: run store " + store.location() + " (final.safetensors, metrics.csv, "
          + "metrics_per_label.csv, client_metrics.csv, charts/rounds.png)");
    }
    return summary;
  }

  /** Every round's {@code clients.csv} in one table (rounds checkpointed by an older fedcxr have none). */
  private static byte[] clientMetrics(RunStore store, List<RoundReport> history) {
    StringBuilder all = new StringBuilder(FederatedRun.CLIENTS_HEADER).append('\n');
    for (RoundReport r : history) {
      if (store.exists(r.round(), "clients.csv")) {
        String table = new String(store.read(r.round(), "clients.csv"), StandardCharsets.UTF_8);
        all.append(table, table.indexOf('\n') + 1, table.length());
      }
    }
    return all.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static float[] initialWeights(SparkSession spark, GlobalModel model, Spec spec, boolean transfer,
      Set<String> randomParts) {
    String init = spec.string("init");
    if (init.equals("random")) {
      return model.current();
    }
    String location = Locations.resolve(init.substring(init.indexOf(':') + 1));
    Path path = new Path(location);
    try (InputStream in = path.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(path)) {
      return model.load(in, transfer, transfer ? (float) spec.number("transfer.pretrained_share") : 1f,
          randomParts);
    } catch (IOException | IllegalArgumentException e) {
      throw new JobFailure("cannot use init " + init + ": " + e.getMessage(), e);
    }
  }

  /**
   * The encoder parts named by {@code transfer.random_parts} ({@code none}: no part); a name the encoder does not have
   * is refused.
   */
  private static Set<String> randomParts(Spec spec, GlobalModel model) {
    Set<String> parts = new LinkedHashSet<>(spec.list("transfer.random_parts"));
    List<String> known = model.encoderParts();
    for (String part : parts) {
      if (!known.contains(part)) {
        throw new SpecException(spec.source() + ": key 'transfer.random_parts' names '" + part + "', which is not a "
            + "part of " + model.architecture().name() + "'s encoder; its parts: " + String.join(", ", known));
      }
    }
    return parts;
  }
}
