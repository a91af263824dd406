package org.fedcxr.ssl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Initialization;
import org.fedcxr.model.LittleEndian;
import org.fedcxr.model.StateDict;
import org.fedcxr.train.Devices;
import org.fedcxr.train.ClientGroups;
import org.fedcxr.train.InOrder;
import org.fedcxr.train.LabelledImage;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.RunStore;
import org.fedcxr.train.ScopedOptimizer;
import org.fedcxr.train.TrainingListener;
import org.fedcxr.model.TorchThread;
import org.fedcxr.train.WeightedMean;
import scala.Tuple2;

/**
 * Self-supervised pretraining on Spark: the unlabelled images are split by a hash of their id into {@code workers}
 * shards, one Spark task each. Each task trains {@code syncEvery} epochs on its shard from the current weights
 * (local SGD) and the driver averages the workers' online and target weights by their share of the images, then
 * checkpoints the last of those epochs (a round of the run store). With one worker this is plain sequential
 * training, the same bit for bit whatever {@code syncEvery} is: it only sets how often the state travels to the
 * driver and is checkpointed. Workers are
 * shards as federated clients are groups ({@link ClientGroups}, one per worker) and reach the driver the same way:
 * fetched in worker order a few at a time ({@link InOrder}) and added in that order.
 *
 * <p>The optimizer state (Adam's two moments) lives as long as the run: it travels with the weights to the workers and
 * back, is averaged across workers by the same shares as the weights, and is saved in each epoch's checkpoint, so a
 * resumed run is bit-identical to an uninterrupted one ({@code optimizer_state: epoch} restarts it every epoch instead:
 * the saved state is then not used). Each worker counts its own steps for the schedules and Adam's
 * bias correction (epochs done × its steps per epoch), so every worker follows the run's schedule over its shard.
 * Only the last {@value #KEPT_EPOCHS} checkpoints are kept (each holds two networks and two moments: about
 * 190 MB for ResNet-18); the loss history travels in every checkpoint.
 */
public final class PretrainRun {
  /** Checkpoints kept in the run store: resuming needs the last one, the one before is a spare. */
  public static final int KEPT_EPOCHS = 2;

  /** One epoch's outcome; an epoch trained in a task of several epochs gets an equal share of its wall time. */
  public record Epoch(int epoch, double loss, double seconds, double imagesPerSecond) implements Serializable {
  }

  private final JavaSparkContext jsc;
  private final Architecture architecture;
  private final SslConfig config;
  private final long seed;
  private final RunStore store;
  private final int syncEvery;

  /** A run that averages its workers and checkpoints every {@code syncEvery} epochs (and after the last). */
  public PretrainRun(JavaSparkContext jsc, Architecture architecture, SslConfig config, long seed, RunStore store,
      int syncEvery) {
    if (syncEvery < 1) {
      throw new IllegalArgumentException("sync_every must be at least 1, not " + syncEvery);
    }
    this.jsc = jsc;
    this.architecture = architecture;
    this.config = config;
    this.seed = seed;
    this.store = store;
    this.syncEvery = syncEvery;
  }

  /** Rows keyed by shard, one partition per worker, kept for all epochs; only id, size and pixels are kept. */
  public static JavaPairRDD<Integer, Row> shards(Dataset<Row> images, int workers, long seed) {
    return images.select("image_id", "height", "width", "pixels").javaRDD()
        .mapToPair(r -> new Tuple2<>((int) Math.floorMod(Seeds.derive(seed, "worker", r.getString(0)), workers), r))
        .partitionBy(new ClientGroups(workers, workers)).persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * Trains epochs after the last complete one (all when not resuming), telling {@code listener} of each epoch once it
   * is checkpointed; returns (online, target) flat weights and the epochs' reports, earlier ones included when
   * resuming.
   */
  public float[][] run(JavaPairRDD<Integer, Row> shards, boolean resume, List<Epoch> history,
      TrainingListener<Epoch> listener) {
    long runStart = System.nanoTime();
    int epochs = config.epochs();
    float[][] state; // online, target (BYOL; else null), Adam's two moments (null before the first epoch)
    int start = 1;
    if (resume && store.lastCompleteRound() > 0) {
      store.reopen();
      int last = store.lastCompleteRound();
      Map<String, float[]> saved = RunStore.vectors(store.read(last, "state.safetensors"));
      if (saved.get("adam_m") == null || saved.get("adam_v") == null) {
        throw new JobFailure("epoch " + last + " of " + store.location() + " has no optimizer state (written by an "
            + "older fedcxr, which restarted Adam every epoch): it cannot be continued identically; rerun without "
            + "--resume");
      }
      state = new float[][] {saved.get("online"), saved.get("target"), saved.get("adam_m"), saved.get("adam_v")};
      float[] h = saved.get("history");
      for (int i = 0; i + 3 < h.length; i += 4) {
        history.add(new Epoch((int) h[i], h[i + 1], h[i + 2], h[i + 3]));
      }
      start = last + 1;
    } else {
      store.clear();
      float[][] initial = initial();
      state = new float[][] {initial[0], initial[1], null, null};
    }
    for (int first = start; first <= epochs; first += syncEvery) {
      int count = Math.min(syncEvery, epochs - first + 1);
      long t0 = System.nanoTime();
      Broadcast<float[][]> weights = jsc.broadcast(state);
      JavaRDD<Update> updates = shards.mapPartitionsWithIndex(new Worker(weights, architecture.name(), config, seed,
          first, count), true).persist(StorageLevel.MEMORY_AND_DISK());
      updates.count();
      WeightedMean[] means = new WeightedMean[state.length];
      double[] lossSums = new double[count];
      long[] images = {0};
      long bytes = 4L * state[0].length * state.length;
      InOrder.forEach(updates, bytes, u -> {
        if (u.samples == 0) {
          return;
        }
        for (int k = 0; k < means.length; k++) {
          if (u.vectors[k] != null) {
            float[] v = LittleEndian.floats(u.vectors[k]);
            means[k] = means[k] == null ? new WeightedMean(v.length) : means[k];
            means[k].add(v, u.samples);
          }
        }
        for (int i = 0; i < count; i++) {
          lossSums[i] += u.losses[i] * u.samples;
        }
        images[0] += u.samples;
      });
      updates.unpersist();
      weights.destroy();
      if (means[0] == null) {
        throw new IllegalStateException("epochs " + first + ".." + (first + count - 1)
            + ": no worker had images to train on");
      }
      state = new float[means.length][];
      for (int k = 0; k < means.length; k++) {
        state[k] = means[k] == null ? null : means[k].mean();
      }
      double seconds = (System.nanoTime() - t0) / 1e9 / count;
      List<Epoch> trained = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        trained.add(new Epoch(first + i, lossSums[i] / images[0], seconds, images[0] / seconds));
      }
      history.addAll(trained);
      checkpoint(first + count - 1, state, history);
      double elapsed = (System.nanoTime() - runStart) / 1e9;
      for (Epoch e : trained) {
        listener.onCheckpoint(e, epochs, elapsed, elapsed / (first + count - start) * (epochs - e.epoch()));
      }
    }
    return new float[][] {state[0], state[1]};
  }

  /** Saves the state after {@code epoch} with the loss history, keeping only the last checkpoints. */
  private void checkpoint(int epoch, float[][] state, List<Epoch> history) {
    Map<String, float[]> checkpoint = new LinkedHashMap<>();
    checkpoint.put("online", state[0]);
    if (state[1] != null) {
      checkpoint.put("target", state[1]);
    }
    checkpoint.put("adam_m", state[2]);
    checkpoint.put("adam_v", state[3]);
    float[] h = new float[history.size() * 4];
    for (int i = 0; i < history.size(); i++) {
      Epoch x = history.get(i);
      h[4 * i] = x.epoch();
      h[4 * i + 1] = (float) x.loss();
      h[4 * i + 2] = (float) x.seconds();
      h[4 * i + 3] = (float) x.imagesPerSecond();
    }
    checkpoint.put("history", h);
    RunStore.RoundWriter writer = store.beginRound(epoch);
    writer.write("state.safetensors", RunStore.vectors(checkpoint));
    writer.commit();
    store.keepLastRounds(KEPT_EPOCHS);
  }

  /** The seeded initial weights, made once on the driver so every worker starts from the same network. */
  private float[][] initial() {
    return TorchThread.call(this::seededInitial);
  }

  private float[][] seededInitial() {
    SslTrainer trainer = new SslTrainer(architecture, config);
    try (NDManager m = NDManager.newBaseManager()) {
      Shape shape = new Shape(2, 1, 64, 64);
      SslBranch online = trainer.newOnline();
      Initialization.seeded((int) Seeds.derive(seed, "ssl-init"), () -> online.initialize(m, DataType.FLOAT32, shape));
      if (!config.method().equals("byol")) {
        return new float[][] {StateDict.flatten(online), null};
      }
      SslBranch target = trainer.newTarget();
      Initialization.unseeded(() -> target.initialize(m, DataType.FLOAT32, shape));
      Ema.copy(target, online);
      return new float[][] {StateDict.flatten(online), StateDict.flatten(target)};
    }
  }

  /**
   * What a worker returns: its image count, the mean loss of each epoch it trained, and the state it trained to (online, target or null, Adam's
   * two moments) as little-endian bytes.
   */
  record Update(int samples, double[] losses, byte[][] vectors) implements Serializable {
    static byte[][] bytes(float[]... vectors) {
      byte[][] out = new byte[vectors.length][];
      for (int k = 0; k < vectors.length; k++) {
        out[k] = vectors[k] == null ? null : LittleEndian.bytes(vectors[k]);
      }
      return out;
    }
  }

  /** One worker's task: spools its shard and trains {@code count} epochs from the broadcast weights. */
  private record Worker(Broadcast<float[][]> weights, String architecture, SslConfig config, long seed,
      int first, int count) implements Function2<Integer, Iterator<Tuple2<Integer, Row>>, Iterator<Update>> {
    @Override
    public Iterator<Update> call(Integer worker, Iterator<Tuple2<Integer, Row>> rows) {
      if (!rows.hasNext()) {
        return List.of(new Update(0, null, null)).iterator();
      }
      try (LocalShard shard = LocalShard.spool(LabelledImage.unlabelled(values(rows)),
          Path.of(System.getProperty("java.io.tmpdir")))) {
        float[][] w = weights.value();
        ScopedOptimizer.Moments moments = w[2] == null ? null : new ScopedOptimizer.Moments(w[2], w[3]);
        SslTrainer.Result r = new SslTrainer(Architecture.named(architecture), config).train(w[0], w[1], moments,
            shard, Seeds.derive(seed, "worker", Integer.toString(worker)), first, count, Devices.forCurrentTask());
        double[] losses = r.epochLosses().stream().mapToDouble(Double::doubleValue).toArray();
        return List.of(new Update(shard.size(), losses, Update.bytes(r.online(), r.target(),
            r.moments().first(), r.moments().second()))).iterator();
      }
    }
  }

  /** The values of keyed rows, in their order. */
  static <V> Iterator<V> values(Iterator<Tuple2<Integer, V>> keyed) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return keyed.hasNext();
      }

      @Override
      public V next() {
        return keyed.next()._2();
      }
    };
  }
}
