package org.fedcxr.fl;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.util.SerializableConfiguration;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.SafeTensors;
import org.fedcxr.train.Devices;
import org.fedcxr.train.ExactPartitioner;
import org.fedcxr.train.LabelledImage;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.LocalTrainer;
import org.fedcxr.train.TrainConfig;
import scala.Tuple2;

/**
 * One client's local training in one Spark task: partition i holds exactly client i's rows. A client sampled this
 * round loads the broadcast global weights (with FedBN, its own BatchNorm state over them), trains with the seed
 * derived from (seed, round, client) and returns its update: a pure function of (seed, round, client, global
 * weights), so a retried or speculative task returns the same update. A failure of the client's own (bad rows, out
 * of memory) becomes a dropout with its reason instead of failing the job.
 */
final class ClientTask implements Function2<Integer, Iterator<Tuple2<Integer, Row>>, Iterator<ClientUpdate>> {
  private static final long serialVersionUID = 1L;

  /** A test seam: runs first in every client task, outside the dropout handling (as a lost executor would). */
  static volatile java.util.function.IntConsumer beforeTask = client -> { };
  /** A test seam: runs inside the client's own work, where a failure is a dropout. */
  static volatile java.util.function.IntConsumer insideClient = client -> { };

  private final Broadcast<float[]> global;
  private final boolean[] sampled;
  private final int round;
  private final long seed;
  private final String architecture;
  private final int labels;
  private final TrainConfig config;
  private final String[] batchNormFiles;
  private final boolean[] batchNormMask;
  private final Broadcast<SerializableConfiguration> hadoop;

  ClientTask(Broadcast<float[]> global, boolean[] sampled, int round, long seed, String architecture, int labels,
      TrainConfig config, String[] batchNormFiles, boolean[] batchNormMask,
      Broadcast<SerializableConfiguration> hadoop) {
    this.global = global;
    this.sampled = sampled;
    this.round = round;
    this.seed = seed;
    this.architecture = architecture;
    this.labels = labels;
    this.config = config;
    this.batchNormFiles = batchNormFiles;
    this.batchNormMask = batchNormMask;
    this.hadoop = hadoop;
  }

  @Override
  public Iterator<ClientUpdate> call(Integer client, Iterator<Tuple2<Integer, Row>> rows) {
    if (!sampled[client]) {
      return Collections.emptyIterator();
    }
    beforeTask.accept(client);
    long start = System.nanoTime();
    try {
      insideClient.accept(client);
      float[] initial = global.value();
      if (batchNormFiles != null && batchNormFiles[client] != null) {
        initial = withOwnBatchNorm(initial, batchNormFiles[client]);
      }
      Iterator<LabelledImage> images = LabelledImage.fromRows(ExactPartitioner.values(rows));
      try (LocalShard shard = LocalShard.spool(images, Path.of(System.getProperty("java.io.tmpdir")))) {
        LocalTrainer.Result r = new LocalTrainer(Architecture.named(architecture), labels, config)
            .train(initial, shard, Seeds.derive(seed, "round", Integer.toString(round), "client",
                Integer.toString(client)), Devices.forCurrentTask());
        return List.of(ClientUpdate.of(client, r.samples(), r.weights(), r.lastEpochLoss(), r.seconds()))
            .iterator();
      }
    } catch (Exception | OutOfMemoryError e) {
      String attempt = TaskContext.get() == null ? "" : " (task attempt " + TaskContext.get().attemptNumber() + ")";
      return List.of(ClientUpdate.dropout(client, e + attempt, (System.nanoTime() - start) / 1e9)).iterator();
    }
  }

  private float[] withOwnBatchNorm(float[] globalWeights, String file) throws java.io.IOException {
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
}
