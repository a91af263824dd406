package org.fedcxr.ssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.fedcxr.fl.GlobalModel;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Pixels;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.fedcxr.model.Weights;
import org.fedcxr.testing.TrainingData;
import org.fedcxr.train.LabelledImage;
import org.fedcxr.train.LocalShard;
import org.fedcxr.train.ScopedOptimizer;
import org.fedcxr.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SslTest {
  @TempDir
  Path tmp;

  static final SslConfig SIMSIAM = config("simsiam", 5, 1e-3f);

  /** A small-network config with the pretraining defaults' schedules (2 warm-up epochs, cosine; τ cosine). */
  static SslConfig config(String method, int epochs, float lr) {
    return config(method, epochs, lr, "run");
  }

  /** As {@link #config(String, int, float)}, with Adam's state kept for the run or restarted every epoch. */
  static SslConfig config(String method, int epochs, float lr, String optimizerState) {
    return new SslConfig(method, true, epochs, 16, lr, "warmup-cosine", 2, 1e-5f, optimizerState, 0.99f, "cosine", 64,
        32, false, ViewAugmenter.DEFAULT, 1);
  }

  @Test
  void srLayerKeepsTheShapeIsTheIdentityAtAlphaZeroAndItsSaliencyIsInRange() {
    try (NDManager m = NDManager.newBaseManager()) {
      SpectralResidual sr = new SpectralResidual();
      Shape shape = new Shape(2, 3, 7, 7);
      sr.initialize(m, DataType.FLOAT32, shape);
      NDArray f = m.randomUniform(0, 1, shape);
      NDArray out = sr.forward(new ParameterStore(m, false), new NDList(f), false).singletonOrThrow();
      assertEquals(shape, out.getShape());
      assertArrayEquals(f.toFloatArray(), out.toFloatArray());
      NDArray s = SpectralResidual.saliency(f);
      assertEquals(shape, s.getShape());
      assertTrue(s.min().getFloat() >= -1e-6 && s.max().getFloat() <= 1 + 1e-6);
      sr.getParameters().get("alpha").getArray().set(new float[] {1, 1, 1});
      NDArray changed = sr.forward(new ParameterStore(m, false), new NDList(f), false).singletonOrThrow();
      assertFalse(Arrays.equals(f.toFloatArray(), changed.toFloatArray()));
    }
  }

  @Test
  void viewsAreDeterministicUnderASeedAndInRange() {
    byte[] px = TrainingData.images(1, 32).get(0).pixels();
    float[] a = new float[32 * 32];
    float[] b = new float[32 * 32];
    float[] c = new float[32 * 32];
    ViewAugmenter.DEFAULT.view(px, 32, 32, new SplittableRandom(3), a, 0);
    ViewAugmenter.DEFAULT.view(px, 32, 32, new SplittableRandom(3), b, 0);
    ViewAugmenter.DEFAULT.view(px, 32, 32, new SplittableRandom(4), c, 0);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    for (float v : a) {
      assertTrue(v >= -2f && v <= 2f);
    }
  }

  /** Each augmentation alone (probability 1, the others 0): deterministic under a seed, changes the image, in range. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"crop", "rotate", "color", "blur", "noise", "flip",
      "edge"})
  void eachAugmentationAloneIsDeterministicAndInRange(String which) {
    ViewAugmenter only = new ViewAugmenter(which.equals("crop") ? 1 : 0, 0.3, which.equals("rotate") ? 1 : 0, 30,
        which.equals("color") ? 1 : 0, 0.3, 0.3, 0.3, which.equals("blur") ? 1 : 0, which.equals("noise") ? 1 : 0,
        20, which.equals("flip") ? 1 : 0, which.equals("edge") ? 1 : 0, 0.5, 0.5);
    byte[] px = TrainingData.images(1, 32).get(0).pixels();
    float[] plain = new float[32 * 32];
    Pixels.normalise(px, plain, 0);
    float[] a = new float[32 * 32];
    float[] b = new float[32 * 32];
    only.view(px, 32, 32, new SplittableRandom(11), a, 0);
    only.view(px, 32, 32, new SplittableRandom(11), b, 0);
    assertArrayEquals(a, b, which);
    assertFalse(Arrays.equals(plain, a), which + " changed nothing");
    for (float v : a) {
      assertTrue(v >= -2f && v <= 2f, which);
    }
  }

  @Test
  void edgeBlendAtZeroAndOne() {
    double[] x = new double[8 * 8];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 8) < 4 ? 20 : 200;
    }
    double[] same = x.clone();
    ViewAugmenter.edgeBlend(same, 8, 8, 0);
    assertArrayEquals(x, same);
    double[] edges = x.clone();
    ViewAugmenter.edgeBlend(edges, 8, 8, 1);
    assertArrayEquals(ViewAugmenter.edges(x, 8, 8), edges);
    assertEquals(255.0, Arrays.stream(edges).max().orElseThrow(), 1e-9);
    assertEquals(0.0, edges[0], 1e-9, "flat regions have no edge");
    assertEquals(0.0, Arrays.stream(ViewAugmenter.edges(new double[64], 8, 8)).max().orElseThrow());
  }

  @Test
  void emaMatchesAHandComputationOnWeightsAndBatchNormStatistics() {
    TorchThread.run(SslTest::emaByHand); // where training runs: gradient mode off
  }

  /** An online and a target branch of {@code arch}, each initialised on its own (so they differ). */
  private static SslBranch[] onlineAndTarget(NDManager m, Architecture arch) {
    SslTrainer t = new SslTrainer(arch, SIMSIAM);
    SslBranch online = t.newOnline();
    SslBranch target = t.newTarget();
    online.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
    target.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
    return new SslBranch[] {online, target};
  }

  private static void emaByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      SslBranch[] branches = onlineAndTarget(m, Architecture.SMALL);
      SslBranch online = branches[0];
      SslBranch target = branches[1];
      String stat = StateDict.batchNormLayers(online).get(0) + ".running_mean";
      NDArray onlineMean = StateDict.of(online).get(stat).getArray();
      onlineMean.set(new float[Math.toIntExact(onlineMean.size())]);
      onlineMean.addi(2f); // the online statistics differ from the target's
      for (String name : List.of("encoder.conv1.weight", stat)) {
        float[] o = StateDict.of(online).get(name).getArray().toFloatArray();
        float[] before = StateDict.of(target).get(name).getArray().toFloatArray();
        Ema.update(target, online, 0.75f);
        float[] after = StateDict.of(target).get(name).getArray().toFloatArray();
        for (int i = 0; i < after.length; i++) {
          assertEquals(before[i] * 0.75f + o[i] * 0.25f, after[i], name); // the same float operations: exact
        }
        Ema.copy(target, online);
        assertArrayEquals(o, StateDict.of(target).get(name).getArray().toFloatArray(), name);
      }
    }
  }

  /**
   * The EMA's pass over the tensors' memory gives what libtorch's own operations (τ·target + (1−τ)·online) give,
   * to the bit, for every parameter of ResNet-18 with the projector (BatchNorm statistics included).
   */
  @Test
  void emaEqualsLibtorchsOperationsToTheBit() {
    TorchThread.run(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        SslBranch[] branches = onlineAndTarget(m, Architecture.RESNET18);
        SslBranch online = branches[0];
        SslBranch target = branches[1];
        float tau = 0.9937f;
        Map<String, float[]> expected = new TreeMap<>();
        Map<String, Parameter> o = StateDict.of(online);
        for (Map.Entry<String, Parameter> e : StateDict.of(target).entrySet()) {
          NDArray a = e.getValue().getArray();
          expected.put(e.getKey(), a.mul(tau).add(o.get(e.getKey()).getArray().mul(1 - tau)).toFloatArray());
        }
        Ema.between(target, online).update(tau);
        for (Map.Entry<String, Parameter> e : StateDict.of(target).entrySet()) {
          float[] got = e.getValue().getArray().toFloatArray();
          assertArrayEquals(expected.get(e.getKey()), got, e.getKey());
        }
      }
    });
  }

  @Test
  void stopGradientStopsGradients() {
    Engine.getEngine("PyTorch");
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray p = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      NDArray z = m.create(new float[] {4, 3, 2, 1}, new Shape(2, 2));
      p.setRequiresGradient(true);
      z.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(SslTrainer.negativeCosine(p, z.stopGradient()));
      }
      assertTrue(p.getGradient().abs().sum().getFloat() > 0);
      assertEquals(0f, z.getGradient().abs().sum().getFloat());
    }
  }

  private SslTrainer.Result pretrain(SslConfig config, int epochs) {
    return pretrain(config, null, 1, epochs);
  }

  /** Epochs {@code first .. first + epochs − 1} of a run, continuing from {@code from} (null: a fresh start). */
  private SslTrainer.Result pretrain(SslConfig config, SslTrainer.Result from, int first, int epochs) {
    List<LabelledImage> data = TrainingData.images(96, 32);
    try (LocalShard shard = LocalShard.spool(data.iterator(), tmp)) {
      return new SslTrainer(Architecture.SMALL, config).train(from == null ? null : from.online(),
          from == null ? null : from.target(), from == null ? null : from.moments(), shard, 5, first, epochs,
          Device.cpu());
    }
  }

  /** A state to continue a run from: weights and optimizer state, no history. */
  private static SslTrainer.Result state(float[] online, float[] target, ScopedOptimizer.Moments moments) {
    return new SslTrainer.Result(online, target, moments, List.of(), 0, 0, 0, 0, 0);
  }

  @Test
  void pretrainingLossFallsAndIsDeterministic() {
    for (String method : List.of("simsiam", "byol")) {
      SslConfig c = config(method, 5, 2e-3f);
      SslTrainer.Result r = pretrain(c, 5);
      assertTrue(r.epochLosses().get(4) < r.epochLosses().get(0), method + " " + r.epochLosses());
      assertArrayEquals(r.online(), pretrain(c, 5).online(), method);
      assertEquals(method.equals("byol"), r.target() != null);
    }
  }

  /** The listener hears every step in order with its batch loss, and listening changes nothing of the training. */
  @Test
  void aListenerIsToldEveryStepAndItsLoss() {
    SslConfig c = config("byol", 3, 2e-3f); // two of its three epochs trained
    List<Integer> steps = new ArrayList<>();
    List<Float> losses = new ArrayList<>();
    SslTrainer.Result heard;
    try (LocalShard shard = LocalShard.spool(TrainingData.images(96, 32).iterator(), tmp)) {
      heard = new SslTrainer(Architecture.SMALL, c).optListener(new TrainingListener<Void>() {
        @Override
        public void onStep(int step, float loss) {
          steps.add(step);
          losses.add(loss);
        }
      }).train(null, null, null, shard, 5, 1, 2, Device.cpu());
    }
    assertEquals(IntStream.rangeClosed(1, 12).boxed().toList(), steps, "6 batches of 16, 2 epochs");
    for (int e = 0; e < 2; e++) {
      double mean = losses.subList(6 * e, 6 * e + 6).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
      assertEquals(heard.epochLosses().get(e), mean, 1e-6, "epoch " + (e + 1));
    }
    assertArrayEquals(pretrain(c, 2).online(), heard.online());
  }

  /**
   * libtorch's Adam and EMA kernels (the bench's reference) train the network the one pass trains, up to the rounding
   * of Adam's square root, which training then carries on: far closer to it than a third epoch moves the weights,
   * and not the same bits (so the switch takes effect).
   */
  @Test
  void libtorchUpdatesTrainTheSameNetworkUpToRounding() {
    SslConfig c = config("byol", 3, 2e-3f);
    SslTrainer.Result onePass = pretrain(c, 3);
    List<LabelledImage> data = TrainingData.images(96, 32);
    SslTrainer.Result kernels;
    try (LocalShard shard = LocalShard.spool(data.iterator(), tmp)) {
      kernels = new SslTrainer(Architecture.SMALL, c).optLibtorchUpdates().train(null, null, null, shard, 5, 1, 3,
          Device.cpu());
    }
    SslTrainer.Result twoEpochs = pretrain(c, null, 1, 2);
    assertFalse(Arrays.equals(onePass.online(), kernels.online()));
    double apart = distance(onePass.online(), kernels.online());
    double thirdEpoch = distance(onePass.online(), twoEpochs.online());
    assertTrue(apart < 0.01 * thirdEpoch, apart + " vs an epoch's " + thirdEpoch);
    assertTrue(distance(onePass.target(), kernels.target()) < 0.01 * distance(onePass.target(), twoEpochs.target()));
  }

  private static double distance(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (a[i] - b[i]) * (double) (a[i] - b[i]);
    }
    return Math.sqrt(sum);
  }

  @Test
  void jointViewsComputeWhatSeparatePassesDoWhenTheViewsCoincideAndAreDeterministic() {
    ViewAugmenter identity = new ViewAugmenter(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    for (String method : List.of("simsiam", "byol")) {
      SslTrainer.Result[] still = new SslTrainer.Result[2];
      SslTrainer.Result[] stepped = new SslTrainer.Result[2];
      for (int joint = 0; joint < 2; joint++) {
        still[joint] = pretrain(new SslConfig(method, true, 1, 16, 0f, "constant", 0, 0f, "run", 0.99f, "constant",
            64, 32, joint == 1, identity, 1), 1);
        stepped[joint] = pretrain(new SslConfig(method, true, 1, 96, 1e-3f, "constant", 0, 0f, "run", 0.99f,
            "constant", 64, 32, joint == 1, identity, 1), 1); // one step: all 96 images in one batch
      }
      // identical views: BatchNorm statistics over 2B equal those over B, so the losses agree
      assertEquals(still[0].epochLosses().get(0), still[1].epochLosses().get(0), 1e-5, method);
      boolean[] trainable = trainable(new SslTrainer(Architecture.SMALL, config(method, 3, 1e-3f)).newOnline());
      int moved = 0;
      int agree = 0;
      int weights = 0;
      for (int i = 0; i < trainable.length; i++) {
        if (trainable[i]) { // BatchNorm running statistics differ: separate passes update them once per view
          weights++;
          moved += Math.abs(stepped[0].online()[i] - still[0].online()[i]) > 5e-4 ? 1 : 0;
          agree += Math.abs(stepped[1].online()[i] - stepped[0].online()[i]) < 1e-6 ? 1 : 0;
        }
      }
      assertTrue(moved > weights / 2, method + ": Adam's first step moves most weights by about lr, " + moved);
      assertTrue(agree > 0.99 * weights, method + ": the same gradients give the same step, " + agree + " of "
          + weights + " weights agree");
    }
    SslConfig joint = new SslConfig("byol", true, 2, 16, 2e-3f, "warmup-cosine", 1, 1e-5f, "run", 0.99f, "cosine",
        64, 32, true, ViewAugmenter.DEFAULT, 1);
    assertArrayEquals(pretrain(joint, 2).online(), pretrain(joint, 2).online(), "joint views are deterministic");
  }

  /** Which entries of the branch's flat state dict are trainable weights (not BatchNorm statistics). */
  private static boolean[] trainable(SslBranch branch) {
    try (NDManager m = NDManager.newBaseManager()) {
      branch.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
      boolean[] out = new boolean[StateDict.size(branch)];
      int offset = 0;
      for (var p : StateDict.of(branch).values()) {
        int n = Math.toIntExact(p.getArray().size());
        Arrays.fill(out, offset, offset + n, p.requiresGradient());
        offset += n;
      }
      return out;
    }
  }

  @Test
  void learningRateWarmsUpThenDecaysByACosineAndTauRisesToOne() {
    SslSchedule s = new SslSchedule(config("byol", 10, 1e-3f), 4); // W = 8 warm-up steps, T = 40 steps
    var lr = s.learningRate();
    assertEquals(40, s.totalSteps());
    assertEquals(1e-3f / 8, lr.getNewValue(1), 1e-9f);
    assertEquals(1e-3f * 4 / 8, lr.getNewValue(4), 1e-9f);
    assertEquals(1e-3f, lr.getNewValue(8), 1e-9f);
    assertEquals(1e-3f * (1 + Math.cos(Math.PI * 8 / 32)) / 2, lr.getNewValue(16), 1e-9f);
    assertEquals(5e-4f, lr.getNewValue(24), 1e-9f);
    assertEquals(0f, lr.getNewValue(40), 1e-9f);
    assertEquals(0.99f, s.tau(0), 1e-7f);
    assertEquals(1 - 0.01 * (1 + Math.cos(Math.PI * 10 / 40)) / 2, s.tau(10), 1e-7);
    assertEquals(0.995f, s.tau(20), 1e-7f);
    assertEquals(1f, s.tau(40), 1e-7f);
    assertEquals(8, s.stepsBefore(3));
    assertEquals(lr.getNewValue(16), s.learningRateAfter(8).getNewValue(8)); // Adam restarted after step 8
    assertEquals(lr.getNewValue(3), s.learningRateAfter(0).getNewValue(3));
    SslConfig constant = new SslConfig("byol", true, 10, 16, 1e-3f, "constant", 0, 0f, "run", 0.99f, "constant", 64,
        32, false, ViewAugmenter.DEFAULT, 1);
    SslSchedule c = new SslSchedule(constant, 4);
    assertEquals(1e-3f, c.learningRate().getNewValue(1));
    assertEquals(1e-3f, c.learningRate().getNewValue(40));
    assertEquals(0.99f, c.tau(40));
    assertEquals(5, new SslTrainer(Architecture.SMALL, config("byol", 3, 1e-3f)).stepsPerEpoch(66));
    assertEquals(4, new SslTrainer(Architecture.SMALL, config("byol", 3, 1e-3f)).stepsPerEpoch(65));
    assertThrows(IllegalArgumentException.class, () -> config("byol", 2, 1e-3f)); // warm-up 2 of 2 epochs
  }

  @Test
  void optimizerStateAndSchedulesCarryAcrossAnEpochBoundary() {
    SslConfig c = config("byol", 3, 2e-3f);
    SslTrainer.Result whole = pretrain(c, null, 1, 3);
    SslTrainer.Result first = pretrain(c, null, 1, 2);
    SslTrainer.Result continued = pretrain(c, first, 3, 1);
    assertArrayEquals(whole.online(), continued.online());
    assertArrayEquals(whole.target(), continued.target());
    assertArrayEquals(whole.moments().first(), continued.moments().first());
    assertArrayEquals(whole.moments().second(), continued.moments().second());
    float maxSecond = 0;
    for (float v : whole.moments().second()) {
      maxSecond = Math.max(maxSecond, v);
    }
    assertTrue(maxSecond > 0, "Adam's second moment is kept");
    SslTrainer.Result restarted = pretrain(c, state(first.online(), first.target(), null), 3, 1);
    assertFalse(Arrays.equals(whole.online(), restarted.online()), "fresh Adam state gives other weights");
  }

  /**
   * {@code optimizer_state: epoch}: the first epoch is the run-long optimizer's, later ones start Adam afresh (the
   * moments handed in are ignored, so a continued run equals an uninterrupted one), and the weights then differ.
   */
  @Test
  void adamRestartedEveryEpochCarriesNothingAcrossAnEpochBoundary() {
    SslConfig perEpoch = config("byol", 3, 2e-3f, "epoch");
    SslConfig perRun = config("byol", 3, 2e-3f, "run");
    assertArrayEquals(pretrain(perRun, null, 1, 1).online(), pretrain(perEpoch, null, 1, 1).online());
    SslTrainer.Result whole = pretrain(perEpoch, null, 1, 3);
    SslTrainer.Result first = pretrain(perEpoch, null, 1, 2);
    SslTrainer.Result continued = pretrain(perEpoch, first, 3, 1);
    assertArrayEquals(whole.online(), continued.online());
    assertArrayEquals(whole.target(), continued.target());
    SslTrainer.Result fresh = pretrain(perEpoch, state(first.online(), first.target(), null), 3, 1);
    assertArrayEquals(whole.online(), fresh.online(), "the moments handed in are not used");
    assertFalse(Arrays.equals(whole.online(), pretrain(perRun, null, 1, 3).online()), "restarting Adam changes it");
    assertThrows(IllegalArgumentException.class, () -> config("byol", 3, 2e-3f, "step"));
  }

  /**
   * The target branch runs in training mode (batch statistics), so its BatchNorm running statistics, which the EMA
   * covers, never reach the online branch: replaced by other values, the online weights, Adam's state and every
   * other target entry come out the same to the bit.
   */
  @Test
  void theTargetsBatchNormStatisticsCannotReachTheOnlineBranch() {
    SslConfig c = config("byol", 3, 2e-3f);
    SslTrainer.Result first = pretrain(c, null, 1, 1);
    boolean[] running = runningStatistics(c);
    float[] changed = first.target().clone();
    int replaced = 0;
    for (int i = 0; i < changed.length; i++) {
      if (running[i]) {
        changed[i] = 3f + i % 7;
        replaced++;
      }
    }
    assertTrue(replaced > 0);
    SslTrainer.Result kept = pretrain(c, first, 2, 1);
    SslTrainer.Result other = pretrain(c, state(first.online(), changed, first.moments()), 2, 1);
    assertArrayEquals(kept.online(), other.online());
    assertArrayEquals(kept.moments().first(), other.moments().first());
    assertArrayEquals(kept.moments().second(), other.moments().second());
    int differ = 0;
    for (int i = 0; i < changed.length; i++) {
      if (running[i]) {
        differ += kept.target()[i] != other.target()[i] ? 1 : 0;
      } else {
        assertEquals(kept.target()[i], other.target()[i], "target entry " + i);
      }
    }
    assertTrue(differ > 0, "the statistics themselves still differ");
  }

  /** Which entries of the flat target branch are BatchNorm running statistics. */
  private static boolean[] runningStatistics(SslConfig c) {
    return TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        SslBranch target = new SslTrainer(Architecture.SMALL, c).newTarget();
        target.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
        boolean[] out = new boolean[StateDict.size(target)];
        int offset = 0;
        for (Map.Entry<String, Parameter> e : StateDict.of(target).entrySet()) {
          int n = Math.toIntExact(e.getValue().getArray().size());
          String name = e.getKey();
          Arrays.fill(out, offset, offset + n, name.endsWith("running_mean") || name.endsWith("running_var"));
          offset += n;
        }
        return out;
      }
    });
  }

  @Test
  void theExportedEncoderLoadsIntoTheFederatedModelOrFailsClearly() throws Exception {
    SslTrainer.Result r = pretrain(SIMSIAM, 1);
    ByteArrayOutputStream encoder = new ByteArrayOutputStream();
    float[] encoderWeights;
    try (NDManager m = NDManager.newBaseManager()) {
      SslBranch online = new SslTrainer(Architecture.SMALL, SIMSIAM).newOnline();
      online.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
      StateDict.load(online, r.online());
      Weights.save(online.encoder(), "small", Map.of("method", "simsiam"), encoder);
      encoderWeights = StateDict.flatten(online.encoder());
    }
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 14, 1)) {
      float[] init = g.load(new ByteArrayInputStream(encoder.toByteArray()), true, 1f, Set.of());
      assertArrayEquals(encoderWeights, Arrays.copyOf(init, encoderWeights.length));
    }
    try (GlobalModel g = new GlobalModel(Architecture.RESNET18, 14, 1)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> g.load(new ByteArrayInputStream(encoder.toByteArray()), true, 1f, Set.of()));
      assertTrue(e.getMessage().contains("tensor '"), e.getMessage());
    }
  }
}
