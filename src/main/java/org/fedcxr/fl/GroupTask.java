package org.fedcxr.fl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.SafeTensors;
import org.fedcxr.train.ClientGroups;
import org.fedcxr.train.Devices;
import org.fedcxr.train.LabelledImage;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.LocalTrainer;
import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.TrainingListener;
import org.fedcxr.train.WeightedMean;
import scala.Tuple2;

/**
 * One group's clients in one Spark task: partition g holds the rows of group g's clients ({@link ClientGroups}),
 * sorted by client id. Each sampled client in turn (on the executor's kept model,
 * {@link LocalTrainer#trainOnKeptModel}) loads the broadcast global weights (with FedBN, its own BatchNorm
 * state over them), trains with the seed derived from (seed, round, client), and its weights × samples are added to
 * the group's sum in client order; the task returns that one partial sum ({@link GroupUpdate}). Every client's update
 * is a pure function of (seed, round, client, global weights), so a retried or speculative task returns the same
 * sum. A failure of a client's own (bad rows, out of memory) becomes that client's dropout with its reason instead
 * of failing the group; a sampled client without rows is reported as dropped. With a round deadline (epoch
 * milliseconds by the driver's clock; executors' clocks must agree, e.g. by NTP), a client not started or still
 * training when it passes is dropped: its training stops after the step in progress.
 */
final class GroupTask implements Function2<Integer, Iterator<Tuple2<Integer, Row>>, Iterator<GroupUpdate>> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<float[]> global;
  private final boolean[] sampled;
  private final int groups;
  private final int round;
  private final long seed;
  private final String architecture;
  private final int labels;
  private final TrainConfig config;
  private final String[] batchNormFiles;
  private final boolean[] batchNormMask;
  private final Broadcast<SerializableConfiguration> hadoop;
  private final long deadline;
  private final LongAccumulator done;
  private final ClientHooks hooks;

  GroupTask(Broadcast<float[]> global, boolean[] sampled, int groups, int round, long seed, String architecture,
      int labels, TrainConfig config, String[] batchNormFiles, boolean[] batchNormMask,
      Broadcast<SerializableConfiguration> hadoop, long deadline, LongAccumulator done, ClientHooks hooks) {
    this.global = global;
    this.sampled = sampled;
    this.groups = groups;
    this.round = round;
    this.seed = seed;
    this.architecture = architecture;
    this.labels = labels;
    this.config = config;
    this.batchNormFiles = batchNormFiles;
    this.batchNormMask = batchNormMask;
    this.hadoop = hadoop;
    this.deadline = deadline;
    this.done = done;
    this.hooks = hooks;
  }

  @Override
  public Iterator<GroupUpdate> call(Integer group, Iterator<Tuple2<Integer, Row>> rows) {
    long start = System.nanoTime();
    float[] weights = global.value();
    WeightedMean sum = new WeightedMean(weights.length);
    double lossSum = 0;
    List<ClientReport> reports = new ArrayList<>();
    Map<Integer, float[]> batchNorm = new TreeMap<>();
    PeekingRows in = new PeekingRows(rows);
    ClientGroups groups = new ClientGroups(sampled.length, this.groups);
    LocalTrainer trainer = new LocalTrainer(Architecture.named(architecture), labels, config)
        .optListener(new TrainingListener<Void>() {
          @Override
          public void onStep(int step, float loss) {
            if (pastDeadline()) {
              throw new DeadlinePassed("deadline: still training when the round's deadline passed (after step "
                  + step + ")");
            }
          }
        });
    for (int client = groups.firstClient(group); client < groups.firstClient(group + 1); client++) {
      if (in.hasNext() && in.peekClient() < client) {
        throw new IllegalStateException("group " + group + " holds client " + in.peekClient() + ", not one of its "
            + "own: the rows were not partitioned by ClientGroups(" + sampled.length + ", " + this.groups + ")");
      }
      boolean present = in.hasNext() && in.peekClient() == client;
      if (!sampled[client]) {
        in.skip(client);
        continue;
      }
      hooks.beforeClient(round, client);
      ClientReport r = !present ? new ClientReport(round, client, 0, 0, Double.NaN, 0,
              "no rows: the client has no images")
          : pastDeadline() ? new ClientReport(round, client, 0, 0, Double.NaN, 0,
              "deadline: not started before the round's deadline")
          : train(trainer, client, in.client(client), weights, sum, batchNorm);
      in.skip(client); // rows a failed client left unread
      done.add(1);
      reports.add(r);
      lossSum += r.ok() ? r.loss() * r.images() : 0;
    }
    if (in.hasNext()) {
      throw new IllegalStateException("group " + group + " holds client " + in.peekClient() + ", not one of its own");
    }
    byte[] bytes = sum.samples() == 0 ? null : sum.sumBytes();
    return List.of(new GroupUpdate(bytes, sum.samples(), lossSum, reports, batchNorm,
        (System.nanoTime() - start) / 1e9)).iterator();
  }

  private ClientReport train(LocalTrainer trainer, int client, Iterator<Row> rows, float[] weights,
      WeightedMean sum, Map<Integer, float[]> batchNorm) {
    long start = System.nanoTime();
    try {
      hooks.insideClient(round, client);
      float[] initial = weights;
      if (batchNormFiles != null && batchNormFiles[client] != null) {
        initial = withOwnBatchNorm(initial, batchNormFiles[client]);
      }
      try (LocalShard shard = LocalShard.spool(LabelledImage.fromRows(rows),
          Path.of(System.getProperty("java.io.tmpdir")))) {
        LocalTrainer.Result r = trainer.trainOnKeptModel(initial, shard, Seeds.derive(seed, "round",
            Integer.toString(round), "client", Integer.toString(client)), Devices.forCurrentTask());
        sum.add(r.weights(), r.samples());
        if (batchNormFiles != null) {
          batchNorm.put(client, select(r.weights(), batchNormMask));
        }
        return new ClientReport(round, client, r.samples(), r.steps(), r.lastEpochLoss(), r.seconds(), null);
      }
    } catch (DeadlinePassed e) {
      return new ClientReport(round, client, 0, 0, Double.NaN, (System.nanoTime() - start) / 1e9, e.getMessage());
    } catch (Exception | OutOfMemoryError e) {
      String attempt = TaskContext.get() == null ? "" : " (task attempt " + TaskContext.get().attemptNumber() + ")";
      return new ClientReport(round, client, 0, 0, Double.NaN, (System.nanoTime() - start) / 1e9, e + attempt);
    }
  }

  private boolean pastDeadline() {
    return deadline > 0 && System.currentTimeMillis() > deadline;
  }

  /** A client still training when the round's deadline passed. */
  private static final class DeadlinePassed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeadlinePassed(String message) {
      super(message, null, false, false);
    }
  }

  private static float[] select(float[] w, boolean[] mask) {
    int n = 0;
    for (boolean b : mask) {
      n += b ? 1 : 0;
    }
    float[] out = new float[n];
    int k = 0;
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        out[k++] = w[i];
      }
    }
    return out;
  }

  private float[] withOwnBatchNorm(float[] globalWeights, String file) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(file);
    FileSystem fs = p.getFileSystem(hadoop.value().value());
    float[] own;
    try (InputStream in = fs.open(p)) {
      own = SafeTensors.read(in).tensors().get("batchnorm").floats();
    }
    float[] w = globalWeights.clone();
    int k = 0;
    for (int i = 0; i < w.length; i++) {
      if (batchNormMask[i]) {
        w[i] = own[k++];
      }
    }
    if (k != own.length) {
      throw new IllegalStateException("FedBN state " + file + " has " + own.length + " values, expected " + k);
    }
    return w;
  }

  /** A group's rows (sorted by client id) read one client at a time. */
  private static final class PeekingRows {
    private final Iterator<Tuple2<Integer, Row>> rows;
    private Tuple2<Integer, Row> next;

    PeekingRows(Iterator<Tuple2<Integer, Row>> rows) {
      this.rows = rows;
      this.next = rows.hasNext() ? rows.next() : null;
    }

    boolean hasNext() {
      return next != null;
    }

    int peekClient() {
      return next._1();
    }

    /** The rows of {@code client}, read lazily up to the next client's first row. */
    Iterator<Row> client(int client) {
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return next != null && next._1() == client;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Row r = next._2();
          next = rows.hasNext() ? rows.next() : null;
          return r;
        }
      };
    }

    /** Passes over what is left of {@code client}'s rows. */
    void skip(int client) {
      while (next != null && next._1() == client) {
        next = rows.hasNext() ? rows.next() : null;
      }
    }
  }
}
