package org.fedcxr.ssl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.L2Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.GradientRecording;
import org.fedcxr.model.Initialization;
import org.fedcxr.model.StateDict;
import org.fedcxr.train.ScopedOptimizer;
import org.fedcxr.train.Devices;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.TrainingListener;
import org.fedcxr.model.TorchThread;

/**
 * Self-supervised training of an {@link SslBranch} on unlabelled images (a {@link LocalShard}; labels are never
 * read): two views of every image under the seeded {@link ViewAugmenter}, the symmetric loss
 * (2 − 2·cos(p1, t2)) + (2 − 2·cos(p2, t1)) with t the target branch's projections (BYOL: the EMA branch; SimSiam:
 * the online projections with gradients stopped), Adam. Deterministic like the supervised trainer.
 */
public final class SslTrainer {
  /**
   * Weights after training (online branch; target branch for BYOL, else null), the optimizer's state over the online
   * branch's trainable parameters (to continue the run), the mean loss of each epoch, the wall time of the run and
   * of its last epoch alone, the time spent reading and augmenting views over the run, and the time its last epoch
   * spent in the optimizer's updates and in BYOL's target update (the rest of that epoch: views and the passes,
   * forward, loss and backward).
   */
  public record Result(float[] online, float[] target, ScopedOptimizer.Moments moments, List<Double> epochLosses,
      double seconds, double lastEpochSeconds, double viewSeconds, double optimizerSeconds, double emaSeconds) {
  }

  private final Architecture architecture;
  private final SslConfig config;
  private boolean libtorchUpdates;
  private TrainingListener<?> listener = new TrainingListener<Void>() { };

  public SslTrainer(Architecture architecture, SslConfig config) {
    this.architecture = architecture;
    this.config = config;
  }

  /**
   * Adam and the EMA through libtorch's kernels instead of the one pass over each tensor's memory: the same maths
   * (Adam up to the rounding of a square root, the EMA to the bit), kept to measure the one pass against.
   */
  public SslTrainer optLibtorchUpdates() {
    libtorchUpdates = true;
    return this;
  }

  /** Told of every step ({@link TrainingListener#onStep}: measurements per step); returns this trainer. */
  public SslTrainer optListener(TrainingListener<?> listener) {
    this.listener = listener;
    return this;
  }

  public SslBranch newOnline() {
    return new SslBranch(architecture, config.srLayer(), true, config.hidden(), config.dim());
  }

  public SslBranch newTarget() {
    return new SslBranch(architecture, config.srLayer(), false, config.hidden(), config.dim());
  }

  /** Optimizer steps of one epoch over {@code images} (a last batch of one image is skipped). */
  public int stepsPerEpoch(int images) {
    return images / config.batchSize() + (images % config.batchSize() >= 2 ? 1 : 0);
  }

  /**
   * Trains epochs {@code firstEpoch .. firstEpoch + epochs − 1} of the run (the epoch number seeds the views and
   * places the step in the schedules), from the given flat weights (null: a fresh network from the seed) and
   * optimizer state (null: fresh, as at the run's start; ignored when Adam restarts every epoch).
   */
  public Result train(float[] online, float[] target, ScopedOptimizer.Moments moments, LocalShard shard, long seed,
      int firstEpoch, int epochs, Device device) {
    if (firstEpoch < 1 || epochs < 1) {
      throw new IllegalArgumentException("epochs count from 1 and at least one is trained, not first " + firstEpoch
          + " and " + epochs);
    }
    int threads = Devices.threadsForCurrentTask(config.threads()); // read on the task's thread
    return TorchThread.call(() -> run(online, target, moments, shard, seed, firstEpoch, epochs, device, threads));
  }

  private Result run(float[] online, float[] target, ScopedOptimizer.Moments moments, LocalShard shard, long seed,
      int firstEpoch, int epochs, Device device, int threads) {
    long start = System.nanoTime();
    JniUtils.setNumThreads(threads);
    int h = shard.height();
    int w = shard.width();
    Shape input = new Shape(config.batchSize(), 1, h, w);
    SslBranch net = newOnline();
    boolean byol = config.method().equals("byol");
    SslSchedule schedule = new SslSchedule(config, stepsPerEpoch(shard.size()));
    int done = schedule.stepsBefore(firstEpoch);
    boolean perEpoch = config.optimizerState().equals("epoch"); // Adam restarted every epoch: nothing carried in
    ScopedOptimizer adam = perEpoch ? ScopedOptimizer.adam(schedule.learningRateAfter(done), config.weightDecay())
        : ScopedOptimizer.adam(schedule.learningRate(), config.weightDecay(), done);
    try (ScopedOptimizer optimizer = libtorchUpdates ? adam : adam.optOnePass(); // faster here (docs/benchmarks.md)
        Model model = Model.newInstance("fedcxr-ssl", device, "PyTorch")) {
      model.setBlock(net);
      DefaultTrainingConfig tc = new DefaultTrainingConfig(new L2Loss()).optOptimizer(optimizer)
          .optDevices(new Device[] {device});
      try (Trainer trainer = model.newTrainer(tc)) {
        Initialization.seeded((int) Seeds.derive(seed, "ssl-init"), () -> trainer.initialize(input));
        if (online != null) {
          StateDict.load(net, online);
        }
        if (moments != null && !perEpoch) {
          optimizer.restore(StateDict.of(net).values(), moments);
        }
        SslBranch tgt = byol ? newTarget() : null;
        if (byol) {
          Initialization.unseeded(() -> tgt.initialize(trainer.getManager(), DataType.FLOAT32, input));
          if (target != null) {
            StateDict.load(tgt, target);
          } else {
            Ema.copy(tgt, net);
          }
          tgt.freezeParameters(true);
        }
        Ema ema = !byol ? null : libtorchUpdates ? Ema.throughLibtorch(tgt, net) : Ema.between(tgt, net);
        ParameterStore targetStore = new ParameterStore(trainer.getManager(), false);
        List<Double> losses = new ArrayList<>();
        double lastEpochSeconds = 0;
        long viewNanos = 0;
        long optimizerNanos = 0;
        long emaNanos = 0;
        byte[] px = new byte[h * w];
        float[] ignored = new float[shard.labelCount()];
        List<Parameter> parameters = List.copyOf(net.getParameters().values()); // walked once, not per step
        int steps = 0;
        for (int epoch = firstEpoch; epoch < firstEpoch + epochs; epoch++) {
          long epochStart = System.nanoTime();
          if (perEpoch && epoch > firstEpoch) {
            optimizer.restart(schedule.learningRateAfter(done));
          }
          optimizerNanos = 0;
          emaNanos = 0;
          int[] order = shard.order(seed, epoch);
          double sum = 0;
          for (int b = 0; b < order.length; b += config.batchSize()) {
            int n = Math.min(config.batchSize(), order.length - b);
            if (n < 2) {
              continue;
            }
            long viewStart = System.nanoTime();
            float[] v1 = new float[n * h * w];
            float[] v2 = new float[n * h * w];
            for (int i = 0; i < n; i++) {
              int idx = order[b + i];
              shard.read(idx, px, ignored);
              String e = Integer.toString(epoch);
              config.augmenter().view(px, h, w, Seeds.random(seed, "view1", e, shard.id(idx)), v1, i * h * w);
              config.augmenter().view(px, h, w, Seeds.random(seed, "view2", e, shard.id(idx)), v2, i * h * w);
            }
            viewNanos += System.nanoTime() - viewStart;
            float loss;
            try (NDManager batch = trainer.getManager().newSubManager()) { // the step's arrays, closed after it
              loss = passes(trainer, batch, tgt, targetStore, v1, v2, n, h, w);
              sum += loss * n;
              long updateStart = System.nanoTime();
              optimizer.step(parameters);
              optimizerNanos += System.nanoTime() - updateStart;
            }
            done++;
            if (ema != null) {
              long emaStart = System.nanoTime();
              ema.update(schedule.tau(done));
              emaNanos += System.nanoTime() - emaStart;
            }
            listener.onStep(++steps, loss);
          }
          losses.add(sum / order.length);
          lastEpochSeconds = (System.nanoTime() - epochStart) / 1e9;
        }
        return new Result(StateDict.flatten(net), byol ? StateDict.flatten(tgt) : null,
            optimizer.moments(StateDict.of(net).values()), losses, (System.nanoTime() - start) / 1e9,
            lastEpochSeconds, viewNanos / 1e9, optimizerNanos / 1e9, emaNanos / 1e9);
      }
    }
  }

  /** Both views through both branches, the loss and its gradients on the online branch; returns the loss. */
  private float passes(Trainer trainer, NDManager batch, SslBranch target, ParameterStore targetStore, float[] v1,
      float[] v2, int n, int h, int w) {
    NDArray x1 = batch.create(v1, new Shape(n, 1, h, w));
    NDArray x2 = batch.create(v2, new Shape(n, 1, h, w));
    try (GradientRecording gc = new GradientRecording()) {
      NDList[] online = views(x1, x2, x -> trainer.forward(x));
      NDList[] targets = target == null ? online : views(x1, x2, x -> target.forward(targetStore, x, true));
      NDArray t1 = targets[0].get(1).stopGradient();
      NDArray t2 = targets[1].get(1).stopGradient();
      NDArray l = negativeCosine(online[0].get(0), t2).add(negativeCosine(online[1].get(0), t1));
      gc.backward(l);
      return l.getFloat();
    }
  }

  /**
   * The outputs of a branch on both views: two forward passes, or with joint views one pass over the 2B images
   * (BatchNorm statistics then cover both views) split back into the two halves.
   */
  private NDList[] views(NDArray x1, NDArray x2, UnaryOperator<NDList> branch) {
    if (!config.jointViews()) {
      return new NDList[] {branch.apply(new NDList(x1)), branch.apply(new NDList(x2))};
    }
    NDList both = branch.apply(new NDList(x1.concat(x2, 0)));
    NDList p = both.get(0).split(2, 0);
    NDList z = both.get(1).split(2, 0);
    return new NDList[] {new NDList(p.get(0), z.get(0)), new NDList(p.get(1), z.get(1))};
  }

  /** Mean over the batch of 2 − 2·cos(p, z): the normalised MSE between the two embeddings. */
  static NDArray negativeCosine(NDArray p, NDArray z) {
    NDArray pn = p.div(p.norm(new int[] {1}, true).add(1e-6f));
    NDArray zn = z.div(z.norm(new int[] {1}, true).add(1e-6f));
    return pn.mul(zn).sum(new int[] {1}).mul(-2f).add(2f).mean();
  }
}
