package org.fedcxr.fl;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.EvaluationResult;
import org.fedcxr.train.ClientGroups;
import org.fedcxr.train.Devices;
import org.fedcxr.train.InOrder;
import org.fedcxr.train.RunStore;
import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.TrainingListener;
import org.fedcxr.train.WeightedMean;
import scala.Tuple2;

/**
 * The federated loop: each round the driver samples clients, broadcasts the global weights and runs one task per
 * group of clients ({@link ClientGroups}); each task trains its sampled clients one after another and returns one
 * partial sum of weights × samples ({@link GroupTask}). The driver adds the G partial sums in group order (a few at a
 * time, so its memory and the bytes it receives depend on G, not on the number of clients), applies the strategy,
 * evaluates when due and checkpoints the round with a table of its clients ({@code clients.csv}). For a fixed G the
 * merged weights are bit-identical whatever the executors, task order, retries or speculation. {@link #run} resumes
 * from the last complete round when asked (with the run's own G), and ends with the same weights as a run that was
 * never stopped.
 */
public final class FederatedRun {
  /**
   * What the loop needs besides the data and the initial weights; in the first {@code headRounds} rounds clients
   * train the head alone ({@link TrainConfig#headOnly}), then the whole network with {@code train}. {@code groups}
   * is G, the number of client groups (0: {@link #groups} chooses). {@code roundDeadline} (seconds, 0: none) drops
   * the clients that have not finished training by then: it trades the run's determinism for time.
   */
  public record Settings(long seed, int rounds, double clientFraction, int minClients, String architecture,
      int labels, TrainConfig train, int evalEvery, int headRounds, int groups, double roundDeadline) {
    /** The clients' training config of a round. */
    public TrainConfig trainIn(int round) {
      return round <= headRounds ? train.headOnly() : train;
    }
  }

  /** Scores the global weights (safetensors bytes) on the test set. */
  @FunctionalInterface
  public interface Evaluation {
    EvaluationResult evaluate(int round, byte[] weights);
  }

  /** The columns of a round's {@code clients.csv} (and of a federate job's {@code client_metrics.csv}). */
  public static final String CLIENTS_HEADER = "round,client,images,steps,loss,seconds,status";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CHECKPOINT_FILES = List.of("global.safetensors", "state.safetensors");

  private final JavaSparkContext jsc;
  private final Settings settings;
  private final GlobalModel model;
  private final Strategy strategy;
  private final RunStore store;
  private ClientHooks hooks = ClientHooks.NONE;
  private int keptCheckpoints;

  public FederatedRun(JavaSparkContext jsc, Settings settings, GlobalModel model, Strategy strategy,
      RunStore store) {
    this.jsc = jsc;
    this.settings = settings;
    this.model = model;
    this.strategy = strategy;
    this.store = store;
  }

  /** Runs {@code hooks} around every sampled client in the tasks (fault drills and tests; none by default). */
  public FederatedRun optClientHooks(ClientHooks hooks) {
    this.hooks = hooks;
    return this;
  }

  /**
   * Keeps the weights ({@code global.safetensors}, {@code state.safetensors}) of only the last {@code rounds} complete
   * rounds, deleting the older round's weights once a round is complete, and any older ones left when resuming (0, the
   * default: all); the rounds' reports and FedBN's per-client files stay. A resume needs only the last round's.
   */
  public FederatedRun optKeptCheckpoints(int rounds) {
    if (rounds < 0) {
      throw new IllegalArgumentException("kept checkpoints must be 0 (all) or more, not " + rounds);
    }
    this.keptCheckpoints = rounds;
    return this;
  }

  /** Client rows keyed by client id, one partition per group sorted by client id, kept for all rounds. */
  public static JavaPairRDD<Integer, Row> byClient(Dataset<Row> clients, int count, int groups) {
    return clients.javaRDD().mapToPair(r -> new Tuple2<>(r.<Integer>getAs("client_id"), r))
        .repartitionAndSortWithinPartitions(new ClientGroups(count, groups))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * G for a run over {@code clients} clients: when resuming, the run's own (from its last checkpoint; a different
   * explicit setting is an error); else the setting, or by default twice the trainings that run at once (executors
   * × {@link Devices#trainingsAtOnce}), at most one group per client; in local mode one group per training at once
   * (one by default: one partial sum is the fewest bytes, docs/benchmarks.md). Set it explicitly to get the same
   * weights on a cluster of another size.
   */
  public int groups(int clients, boolean resume) {
    if (resume && store.lastCompleteRound() > 0) {
      int last = store.lastCompleteRound();
      Object saved = readState(last).get("groups");
      int g = saved == null ? clients : ((Number) saved).intValue(); // a run from before groups had one per client
      if (settings.groups() != 0 && settings.groups() != g) {
        throw new JobFailure("the run in " + store.location() + " was made with groups=" + g + "; resuming it with "
            + "groups=" + settings.groups() + " would change its results: resume with groups=" + g + " or 0");
      }
      return g;
    }
    if (settings.groups() > clients) {
      throw new JobFailure("groups=" + settings.groups() + " exceeds the " + clients + " clients");
    }
    if (settings.groups() > 0) {
      return settings.groups();
    }
    return jsc.master().startsWith("local") ? Math.min(clients, trainingSlots())
        : Math.min(clients, 2 * trainingSlots());
  }

  /** The clients sampled in a round: the {@code ceil(fraction·K)} with the smallest (seed, round, client) draws. */
  static boolean[] sample(long seed, int round, int clients, double fraction) {
    int m = Math.max(1, (int) Math.ceil(fraction * clients));
    Integer[] order = IntStream.range(0, clients).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(c -> Seeds.uniform(seed, "sample", Integer.toString(round),
        Integer.toString(c))));
    boolean[] out = new boolean[clients];
    for (int i = 0; i < m; i++) {
      out[order[i]] = true;
    }
    return out;
  }

  /**
   * Runs all rounds (after the last complete one when {@code resume}) over {@code k} clients grouped by
   * {@link #byClient} into {@link #groups} partitions, telling {@code listener} of each round once it is checkpointed
   * and of a long round's clients as they finish; returns the final global weights. {@code initial} gives the
   * starting weights and is called only when no checkpoint is resumed (a resumed run needs neither its init file nor
   * the work of computing them).
   */
  public float[] run(JavaPairRDD<Integer, Row> clients, int k, Supplier<float[]> initial, boolean resume,
      Evaluation evaluation, TrainingListener<RoundReport> listener, List<RoundReport> history) {
    int groups = clients.getNumPartitions();
    float[] global;
    int start = 1;
    String[] bnFiles = strategy.keepsBatchNormLocal() ? new String[k] : null;
    if (resume && store.lastCompleteRound() > 0) {
      store.reopen();
      int last = store.lastCompleteRound();
      global = model.fromSafetensors(store.read(last, "global.safetensors"));
      if (store.exists(last, "state.safetensors")) {
        strategy.restore(RunStore.vectors(store.read(last, "state.safetensors")));
      }
      restoreState(last, history, bnFiles);
      if (keptCheckpoints > 0) { // weights left by a stop between a round and its pruning, or by a larger keep
        for (int r = 1; r <= last - keptCheckpoints; r++) {
          store.deleteFiles(r, CHECKPOINT_FILES);
        }
      }
      start = last + 1;
    } else {
      store.clear();
      global = initial.get();
    }
    boolean[] bnMask = bnFiles == null ? null : model.batchNormMask(); // one flag per weight: only for FedBN
    Broadcast<SerializableConfiguration> hadoop = jsc.broadcast(new SerializableConfiguration(jsc.hadoopConfiguration()));
    int slots = trainingSlots();
    long runStart = System.nanoTime();
    for (int round = start; round <= settings.rounds(); round++) {
      long t0 = System.nanoTime();
      boolean[] sampled = sample(settings.seed(), round, k, settings.clientFraction());
      int sampledCount = (int) IntStream.range(0, k).filter(c -> sampled[c]).count();
      long deadline = settings.roundDeadline() > 0
          ? System.currentTimeMillis() + (long) Math.ceil(settings.roundDeadline() * 1000) : 0;
      Broadcast<float[]> g = jsc.broadcast(global);
      LongAccumulator done = jsc.sc().longAccumulator("fedcxr clients done, round " + round);
      JavaRDD<GroupUpdate> updates = clients.mapPartitionsWithIndex(new GroupTask(g, sampled, groups, round,
          settings.seed(), settings.architecture(), settings.labels(), strategy.clientTraining(settings.trainIn(round)),
          bnFiles == null ? null : bnFiles.clone(), bnMask, hadoop, deadline, done, hooks), true)
          .persist(StorageLevel.MEMORY_AND_DISK());
      ClientProgress watch = new ClientProgress(done, sampledCount, round, listener,
          ClientProgress.EVERY_SECONDS * 1_000_000_000L);
      jsc.sc().addSparkListener(watch);
      try {
        updates.count();
      } finally {
        jsc.sc().removeSparkListener(watch);
      }
      long tTrained = System.nanoTime();
      RunStore.RoundWriter writer = store.beginRound(round);
      Merged m = new Merged(global.length);
      int r = round;
      InOrder.forEach(updates, 8L * global.length, u -> {
        m.add(u);
        for (Map.Entry<Integer, float[]> bn : u.batchNorm().entrySet()) {
          String name = String.format("fedbn/client-%05d.safetensors", bn.getKey());
          writer.write(name, RunStore.vectors(Map.of("batchnorm", bn.getValue())));
          bnFiles[bn.getKey()] = store.file(r, name);
        }
      });
      updates.unpersist();
      g.destroy();
      long tMerged = System.nanoTime();
      if (m.ok.size() < settings.minClients()) {
        throw new JobFailure("round " + round + ": only " + m.ok.size() + " of " + sampledCount
            + " sampled clients reported, min_clients is " + settings.minClients() + "; dropped: " + m.dropped);
      }
      global = strategy.merge(global, m.mean.mean());
      boolean evaluate = round % settings.evalEvery() == 0 || round == settings.rounds();
      byte[] weights = model.toSafetensors(global, Map.of("round", Integer.toString(round)));
      long tSerialised = System.nanoTime();
      EvaluationResult eval = evaluate ? evaluation.evaluate(round, weights) : EvaluationResult.NONE;
      long tEvaluated = System.nanoTime();
      writer.write("global.safetensors", weights);
      if (!strategy.state().isEmpty()) {
        writer.write("state.safetensors", RunStore.vectors(strategy.state()));
      }
      Map<String, Double> phases = new LinkedHashMap<>();
      phases.put("client_tasks", (tTrained - t0) / 1e9);
      phases.put("slowest_group", m.slowestGroup);
      phases.put("fetch_merge", (tMerged - tTrained) / 1e9);
      phases.put("evaluate", (tEvaluated - tSerialised) / 1e9);
      phases.put("checkpoint", (System.nanoTime() - tEvaluated + tSerialised - tMerged) / 1e9);
      RoundReport report = new RoundReport(round, m.ok, m.dropped, m.lossSum / m.mean.samples(), eval,
          (System.nanoTime() - t0) / 1e9, m.trainSeconds / slots, phases);
      history.add(report);
      writer.write("clients.csv", clientsCsv(m.reports));
      writer.write("state.json", stateJson(round, groups, history, bnFiles));
      writer.commit();
      if (keptCheckpoints > 0 && round > keptCheckpoints) {
        store.deleteFiles(round - keptCheckpoints, CHECKPOINT_FILES);
      }
      double elapsed = (System.nanoTime() - runStart) / 1e9;
      listener.onCheckpoint(report, settings.rounds(), elapsed,
          elapsed / (round - start + 1) * (settings.rounds() - round));
    }
    return global;
  }

  /** The trainings that run at once: executors × trainings per executor; a bad thread setting fails the job. */
  private int trainingSlots() {
    int perExecutor = Devices.trainingsAtOnce(jsc.getConf());
    if (jsc.master().startsWith("local")) {
      return perExecutor;
    }
    return perExecutor * Math.max(1, jsc.sc().statusTracker().getExecutorInfos().length - 1);
  }

  /** A round's group updates added in group order: the weighted sum and what the round's report needs. */
  private static final class Merged {
    final WeightedMean mean;
    final List<Integer> ok = new ArrayList<>();
    final Map<Integer, String> dropped = new TreeMap<>();
    final List<ClientReport> reports = new ArrayList<>();
    double lossSum;
    double trainSeconds;
    double slowestGroup;

    Merged(int size) {
      mean = new WeightedMean(size);
    }

    void add(GroupUpdate u) {
      if (u.sum() != null) {
        mean.addSum(u.sum(), u.samples());
      }
      lossSum += u.lossSum();
      slowestGroup = Math.max(slowestGroup, u.seconds());
      for (ClientReport c : u.clients()) {
        reports.add(c);
        trainSeconds += c.seconds();
        if (c.ok()) {
          ok.add(c.client());
        } else {
          dropped.put(c.client(), c.dropped());
        }
      }
    }
  }

  /** The round's clients, one row each in client order: the table {@code CLIENTS_HEADER} names. */
  private static byte[] clientsCsv(List<ClientReport> reports) {
    StringBuilder csv = new StringBuilder(CLIENTS_HEADER).append('\n');
    for (ClientReport c : reports) {
      csv.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%s,%.3f,%s\n", c.round(), c.client(), c.images(),
          c.steps(), c.ok() ? String.format(Locale.ROOT, "%.6f", c.loss()) : "", c.seconds(),
          c.ok() ? "ok" : "\"dropped: " + c.dropped().replace("\"", "\"\"").replace('\n', ' ') + "\""));
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  private byte[] stateJson(int round, int groups, List<RoundReport> history, String[] bnFiles) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("round", round);
    s.put("groups", groups);
    s.put("strategy", strategy.name());
    s.put("history", history);
    if (bnFiles != null) {
      s.put("fedbn_files", Arrays.asList(bnFiles));
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<?, ?> readState(int round) {
    try {
      return JSON.readValue(store.read(round, "state.json"), Map.class);
    } catch (IOException e) {
      throw new JobFailure("cannot read the state of round " + round + " in " + store.location() + ": " + e, e);
    }
  }

  private void restoreState(int round, List<RoundReport> history, String[] bnFiles) {
    Map<?, ?> s = readState(round);
    for (Object o : (List<?>) s.get("history")) {
      history.add(JSON.convertValue(o, RoundReport.class));
    }
    if (bnFiles != null && s.get("fedbn_files") instanceof List<?> files) {
      for (int i = 0; i < bnFiles.length && i < files.size(); i++) {
        bnFiles[i] = (String) files.get(i);
      }
    }
  }
}
