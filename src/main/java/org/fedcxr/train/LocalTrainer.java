package org.fedcxr.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.GradientRecording;
import org.fedcxr.model.Initialization;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;

/**
 * Trains a classifier on a {@link LocalShard}: batches are built from the shard while training runs, in an order and
 * with augmentations derived from the seed, so the same seed, data and initial weights give the same weights out,
 * bit for bit, on the same machine and thread count. Each training runs on a {@link TorchThread} lane, so a JVM
 * trains as many at once as it has lanes. Inside a Spark task, libtorch's intra-op threads and the lanes follow
 * {@link Devices#trainingThreads}; elsewhere the threads are {@link TrainConfig#threads()}.
 */
public final class LocalTrainer {

  /**
   * The outcome of a local run; {@code lastEpochSeconds} is the wall time of the last epoch alone, and
   * {@code batchSeconds} the time spent reading, augmenting and assembling batches (the rest is the model's step).
   */
  public record Result(float[] weights, int samples, int steps, double firstEpochLoss, double lastEpochLoss,
      double seconds, double lastEpochSeconds, double batchSeconds) {
  }

  private final Architecture architecture;
  private final int labels;
  private final TrainConfig config;
  private TrainingListener<?> listener = new TrainingListener<Void>() { };

  public LocalTrainer(Architecture architecture, int labels, TrainConfig config) {
    this.architecture = architecture;
    this.labels = labels;
    this.config = config;
  }

  /** Told of every step ({@link TrainingListener#onStep}: deadlines, memory measurements); returns this trainer. */
  public LocalTrainer optListener(TrainingListener<?> listener) {
    this.listener = listener;
    return this;
  }

  /**
   * Trains from {@code initial} weights (a flat view; null for a fresh model initialised from the seed) and returns
   * the new weights.
   */
  public Result train(float[] initial, LocalShard shard, long seed, Device device) {
    int threads = Devices.threadsForCurrentTask(config.threads()); // read on the task's thread
    return TorchThread.call(() -> {
      JniUtils.setNumThreads(threads);
      try (Network net = new Network(device, shard.height(), shard.width(), Seeds.derive(seed, "init"))) {
        return run(net, initial, shard, seed, threads);
      }
    });
  }

  /**
   * Trains as {@link #train} does, with the same result bit for bit, on the model this JVM kept from its last such
   * training when that one had the same architecture, labels, config and device (else on a new model, then kept):
   * the weights are reloaded and the optimizer restarted (state, update count, schedule), and the network is not
   * built again (0.37 s per ResNet-18 client, docs/benchmarks.md). {@code initial} is required. A training that
   * fails discards the kept model. One model at most is kept per {@link TorchThread} lane (for ResNet-18 about 90 MB
   * of native memory: weights and gradients; the optimizer's state is freed after each training).
   */
  public Result trainOnKeptModel(float[] initial, LocalShard shard, long seed, Device device) {
    Objects.requireNonNull(initial, "training on the kept model needs initial weights");
    int threads = Devices.threadsForCurrentTask(config.threads());
    Key key = new Key(architecture, labels, config, device, shard.height(), shard.width());
    return TorchThread.call(() -> {
      Network net = KEPT.get();
      if (net != null && !net.key.equals(key)) {
        discardKept();
        net = null;
      }
      if (net == null) {
        JniUtils.setNumThreads(threads);
        net = new Network(device, shard.height(), shard.width(), Seeds.derive(seed, "init"));
        KEPT.set(net);
      }
      try {
        return run(net, initial, shard, seed, threads);
      } catch (RuntimeException | Error e) {
        discardKept();
        throw e;
      } finally {
        if (KEPT.get() != null) {
          net.optimizer.close();
        }
      }
    });
  }

  /** What a kept model was built for. */
  private record Key(Architecture architecture, int labels, TrainConfig config, Device device, int height,
      int width) {
  }

  /** The model kept by {@link #trainOnKeptModel} on each lane. */
  private static final ThreadLocal<Network> KEPT = new ThreadLocal<>();

  private static void discardKept() {
    Network n = KEPT.get();
    KEPT.remove();
    n.close();
  }

  /** The native side of a training: the block, its model, trainer and optimizer, for one image size. */
  private final class Network implements AutoCloseable {
    final Key key;
    final Classifier block;
    final ScopedOptimizer optimizer;
    final Model model;
    final Trainer trainer;

    Network(Device device, int height, int width, long initSeed) {
      this.key = new Key(architecture, labels, config, device, height, width);
      block = Classifier.of(architecture, labels).optFrozenBatchNorm(config.frozenBatchNorm());
      Tracker none = Tracker.fixed(0f); // each training sets its own schedule (restart)
      optimizer = config.optimizer().equals("adam") ? ScopedOptimizer.adam(none, config.weightDecay())
          : ScopedOptimizer.sgd(none, config.momentum(), config.weightDecay());
      model = Model.newInstance("fedcxr-local", device, "PyTorch");
      model.setBlock(block);
      trainer = model.newTrainer(new DefaultTrainingConfig(new MaskedBceLoss()).optOptimizer(optimizer)
          .optDevices(new Device[] {device}));
      Initialization.seeded((int) initSeed, () -> trainer.initialize(new Shape(config.batchSize(), 1, height, width)));
      if (config.encoderLrScale() == 0f) {
        block.encoder().freezeParameters(true); // no gradient computed or applied
      }
    }

    @Override
    public void close() {
      try (model; optimizer) {
        trainer.close();
      }
    }
  }

  /**
   * The rate of update t (from 1) of {@code steps}: base·(1 + cos(π(t−1)/steps))/2, the full rate first and never 0
   * (PyTorch's CosineAnnealingLR). DJL's tracker asked for t itself gives the last step 0, and a one-step run nothing.
   */
  static Tracker cosine(float base, int steps) {
    Tracker cosine = Tracker.cosine().setBaseValue(base).optFinalValue(0f).setMaxUpdates(Math.max(1, steps)).build();
    return t -> cosine.getNewValue(t - 1);
  }

  private Result run(Network net, float[] initial, LocalShard shard, long seed, int threads) {
    long start = System.nanoTime();
    JniUtils.setNumThreads(threads);
    int perEpoch = (shard.size() + config.batchSize() - 1) / config.batchSize();
    int totalSteps = perEpoch * config.epochs();
    Tracker schedule = config.schedule().equals("cosine") ? cosine(config.learningRate(), totalSteps)
        : Tracker.fixed(config.learningRate());
    Classifier block = net.block;
    net.optimizer.restart(config.encoderLrScale() == 1f ? schedule : new EncoderRate(schedule,
        block.encoder().getParameters().values().stream().map(Parameter::getId).collect(Collectors.toSet()),
        config.encoderLrScale()));
    Trainer trainer = net.trainer;
    if (initial != null) {
      StateDict.load(block, initial);
    }
    try (NDManager run = trainer.getManager().newSubManager()) {
      HeadStandardization standardization = config.standardizeHead() && shard.size() > 0
          ? HeadStandardization.enter(block, shard, config.batchSize(), run) : null;
      NDList anchor = config.proxMu() > 0 ? anchor(trainer, run) : null;
      List<Parameter> parameters = List.copyOf(block.getParameters().values()); // walked once, not per step
      float[] posWeight = positiveWeights(shard);
      int h = shard.height();
      int w = shard.width();
      double first = 0;
      double last = 0;
      double lastEpochSeconds = 0;
      long batchNanos = 0;
      int steps = 0;
      byte[] px = new byte[h * w];
      float[] lab = new float[labels];
      for (int epoch = 0; epoch < config.epochs(); epoch++) {
        long epochStart = System.nanoTime();
        int[] order = shard.order(seed, epoch);
        double lossSum = 0;
        for (int b = 0; b < order.length; b += config.batchSize()) {
          long prepStart = System.nanoTime();
          int n = Math.min(config.batchSize(), order.length - b);
          float[] x = new float[n * h * w];
          float[] y = new float[n * labels];
          float[] mask = new float[n * labels];
          for (int i = 0; i < n; i++) {
            int idx = order[b + i];
            shard.read(idx, px, lab);
            SplittableRandom rnd = Seeds.random(seed, "augment", Integer.toString(epoch), shard.id(idx));
            config.augmenter().apply(px, h, w, rnd, x, i * h * w);
            for (int k = 0; k < labels; k++) {
              boolean known = !Float.isNaN(lab[k]);
              y[i * labels + k] = known ? lab[k] : 0f;
              mask[i * labels + k] = known ? 1f : 0f;
            }
          }
          batchNanos += System.nanoTime() - prepStart;
          float loss = step(trainer, net.optimizer, parameters, x, y, mask, posWeight, n, h, w, anchor);
          lossSum += loss * n;
          listener.onStep(++steps, loss);
        }
        lastEpochSeconds = (System.nanoTime() - epochStart) / 1e9;
        double mean = lossSum / order.length;
        if (epoch == 0) {
          first = mean;
        }
        last = mean;
      }
      if (standardization != null) {
        standardization.exit();
      }
      return new Result(StateDict.flatten(block), shard.size(), steps, first, last,
          (System.nanoTime() - start) / 1e9, lastEpochSeconds, batchNanos / 1e9);
    } finally {
      block.setFeatureStandardization(null, null); // a kept model starts the next training plain
    }
  }

  private float step(Trainer trainer, ScopedOptimizer optimizer, List<Parameter> parameters, float[] x, float[] y,
      float[] mask, float[] posWeight, int n, int h, int w, NDList anchor) {
    try (NDManager batch = trainer.getManager().newSubManager()) {
      NDArray images = batch.create(x, new Shape(n, 1, h, w));
      NDList targets = new NDList(batch.create(y, new Shape(n, labels)), batch.create(mask, new Shape(n, labels)),
          batch.create(posWeight, new Shape(1, labels)));
      float loss;
      try (GradientRecording gc = new GradientRecording()) {
        NDList predictions = trainer.forward(new NDList(images));
        NDArray l = trainer.getLoss().evaluate(targets, predictions);
        gc.backward(l);
        loss = l.getFloat();
      }
      if (anchor != null) {
        addProximalGradient(trainer, anchor);
      }
      clipGradients(trainer);
      optimizer.step(parameters);
      return loss;
    }
  }

  /** Copies of the trainable weights at the start (FedProx's w_initial), in {@code manager}. */
  private static NDList anchor(Trainer trainer, NDManager manager) {
    NDList out = new NDList();
    for (var p : trainer.getModel().getBlock().getParameters()) {
      if (p.getValue().requiresGradient()) {
        NDArray copy = p.getValue().getArray().duplicate();
        copy.attach(manager);
        out.add(copy);
      }
    }
    return out;
  }

  /** FedProx: adds mu·(w − w_initial) to every trainable weight's gradient. */
  private void addProximalGradient(Trainer trainer, NDList anchor) {
    try (NDManager scope = trainer.getManager().newSubManager()) {
      int i = 0;
      for (var p : trainer.getModel().getBlock().getParameters()) {
        if (p.getValue().requiresGradient()) {
          NDArray w = p.getValue().getArray();
          NDArray g = w.getGradient();
          g.attach(scope);
          NDArray detached = w.stopGradient();
          detached.attach(scope);
          g.addi(detached.sub(anchor.get(i++)).muli(config.proxMu()));
        }
      }
    }
  }

  /** Scales all gradients down to the configured global L2 norm; temporaries live in a scope closed here. */
  private void clipGradients(Trainer trainer) {
    if (config.clipNorm() <= 0) {
      return;
    }
    try (NDManager scope = trainer.getManager().newSubManager()) {
      NDList grads = new NDList();
      for (var p : trainer.getModel().getBlock().getParameters()) {
        if (p.getValue().requiresGradient()) {
          NDArray g = p.getValue().getArray().getGradient();
          g.attach(scope);
          grads.add(g);
        }
      }
      double sumSq = 0;
      for (NDArray g : grads) {
        sumSq += g.square().sum().getFloat();
      }
      double norm = Math.sqrt(sumSq);
      if (norm > config.clipNorm()) {
        float scale = (float) (config.clipNorm() / (norm + 1e-6));
        for (NDArray g : grads) {
          g.muli(scale);
        }
      }
    }
  }

  private float[] positiveWeights(LocalShard shard) {
    float[] w = new float[labels];
    Arrays.fill(w, 1f);
    if (config.classWeighted()) {
      long[] pos = shard.positives();
      for (int k = 0; k < labels; k++) {
        if (pos[k] > 0) {
          w[k] = (float) Math.min(100, (double) (shard.size() - pos[k]) / pos[k]);
        }
      }
    }
    return w;
  }
}
