package org.fedcxr.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Preconditions;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.fedcxr.model.TensorMemory;

/**
 * Adam, or SGD with momentum, with DJL's formulas and arguments, and the optimizer state (Adam's two moments, SGD's
 * momentum) in a manager this object owns and frees in {@link #close}. DJL 0.36's {@code Adam} and {@code Sgd} keep
 * their state in arrays that outlive the model: a JVM that trained ResNet-18 many times grew by two models' worth of
 * memory per training (docs/benchmarks.md, "Memory across trainings"). With {@link #optOnePass}, Adam on CPU tensors
 * runs {@link FusedAdam}'s one-pass update (DJL's kernel's result up to the rounding of its square root): measured
 * faster for pretraining and slower for supervised training (docs/benchmarks.md), so pretraining opts in. Otherwise,
 * and for SGD, DJL's kernels.
 */
public final class ScopedOptimizer extends Optimizer implements AutoCloseable {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final boolean adam;
  private final float momentum;
  private final int stepsDone;
  private final Map<String, NDArray> first = new ConcurrentHashMap<>();
  private final Map<String, NDArray> second = new ConcurrentHashMap<>();
  private final Map<String, Integer> updates = new ConcurrentHashMap<>();
  private final Map<String, Boolean> direct = new ConcurrentHashMap<>();
  private ParameterTracker learningRate;
  private boolean onePass;
  private int updateCount;
  private NDManager state;

  private ScopedOptimizer(boolean adam, ParameterTracker learningRate, float momentum, float weightDecay,
      int stepsDone) {
    super(new Settings().optWeightDecays(weightDecay));
    this.adam = adam;
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.stepsDone = stepsDone;
  }

  /** Adam (β1 0.9, β2 0.999, ε 1e-8, as DJL's defaults). */
  public static ScopedOptimizer adam(ParameterTracker learningRate, float weightDecay) {
    return adam(learningRate, weightDecay, 0);
  }

  /**
   * Adam continuing a run that has made {@code stepsDone} updates: the update count (learning-rate schedule, bias
   * correction) goes on from there; restore the moments with {@link #restore}.
   */
  public static ScopedOptimizer adam(ParameterTracker learningRate, float weightDecay, int stepsDone) {
    return new ScopedOptimizer(true, learningRate, 0f, weightDecay, stepsDone);
  }

  /** SGD with momentum (none when 0). */
  public static ScopedOptimizer sgd(ParameterTracker learningRate, float momentum, float weightDecay) {
    return new ScopedOptimizer(false, learningRate, momentum, weightDecay, 0);
  }

  /** Adam on CPU tensors by {@link FusedAdam}'s one pass instead of DJL's kernel (GPU and strided arrays: DJL's). */
  public ScopedOptimizer optOnePass() {
    onePass = true;
    return this;
  }

  /**
   * Starts over as if new, with another learning-rate schedule: no state, no updates made (a model trained by
   * several clients in turn, {@link LocalTrainer.Session}).
   */
  public void restart(ParameterTracker schedule) {
    close();
    learningRate = schedule;
  }

  /** The update number (from {@code stepsDone + 1}): the highest count of any parameter, as DJL's optimizers. */
  private int count(String parameterId) {
    updateCount = Math.max(updateCount, updates.merge(parameterId, stepsDone + 1, (old, one) -> old + 1));
    return updateCount;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    int t = count(parameterId);
    float lr = learningRate.getNewValue(parameterId, t);
    float weightDecay = getWeightDecay();
    if (adam) {
      double coef1 = 1.0 - Math.pow(BETA1, t);
      double coef2 = 1.0 - Math.pow(BETA2, t);
      float corrected = (float) (lr * Math.sqrt(coef2) / coef1);
      Preconditions.checkArgument(Float.isFinite(corrected) && Float.isFinite(weightDecay),
          "learning rate or weight decay is nan or infinite");
      NDArray mean = stateOf(first, parameterId, weight);
      NDArray variance = stateOf(second, parameterId, weight);
      FloatBuffer[] memory = onePass ? memoryOf(parameterId, weight, grad, mean, variance) : null;
      if (memory != null) {
        FusedAdam.update(memory[0], memory[1], memory[2], memory[3], corrected, weightDecay, BETA1, BETA2, EPSILON);
        JniUtils.zeroGrad((PtNDArray) weight); // as DJL's adamUpdate does after its kernel: the next step starts at 0
      } else {
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, mean, variance), new NDList(weight), lr,
            corrected, weightDecay, rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
      }
    } else {
      NDList inputs = momentum != 0f ? new NDList(weight, grad, stateOf(first, parameterId, weight))
          : new NDList(weight, grad);
      weight.getNDArrayInternal().sgdUpdate(inputs, new NDList(weight), lr, weightDecay, rescaleGrad, clipGrad,
          momentum, true);
    }
  }

  /**
   * Updates every trainable one of {@code parameters} from its gradient, in place of DJL's {@code Trainer.step()}:
   * the same update kernels with the same inputs, without the parameter server's copy of every gradient (DJL's
   * kernel copies the gradient itself) and without the trainer's refusal of a first step whose gradients are all
   * zero (a batch whose labels are all unknown gives one, and is a legitimate step). The parameters are those the
   * gradients were computed on: one device per trainer, as fedcxr trains.
   */
  public void step(Collection<Parameter> parameters) {
    for (Parameter p : parameters) {
      if (p.requiresGradient()) {
        NDArray weight = p.getArray();
        try (NDArray grad = weight.getGradient()) {
          update(p.getId(), weight, grad);
        }
      }
    }
  }

  /**
   * The arrays' own memory when all four are {@link TensorMemory#reachable} (float32 contiguous libtorch tensors in
   * CPU memory); otherwise null (a GPU, another engine or a strided tensor: DJL's kernel). Decided at a parameter's
   * first update.
   */
  private FloatBuffer[] memoryOf(String parameterId, NDArray... arrays) {
    if (!direct.computeIfAbsent(parameterId, k -> Arrays.stream(arrays).allMatch(TensorMemory::reachable))) {
      return null;
    }
    return Arrays.stream(arrays).map(TensorMemory::of).toArray(FloatBuffer[]::new);
  }

  private NDArray stateOf(Map<String, NDArray> map, String parameterId, NDArray weight) {
    return map.computeIfAbsent(parameterId, k -> {
      if (state == null) {
        state = NDManager.newBaseManager(weight.getDevice());
      }
      return state.zeros(weight.getShape(), weight.getDataType());
    });
  }

  /**
   * The state of the given parameters (the trainable ones of a state dict, in its order) as flat vectors: Adam's
   * first and second moments (SGD: momentum and an empty second); zeros for a parameter not yet updated.
   */
  public Moments moments(Collection<Parameter> parameters) {
    List<Parameter> trainable = trainable(parameters);
    int n = 0;
    for (Parameter p : trainable) {
      n += Math.toIntExact(p.getArray().size());
    }
    float[] m1 = new float[n];
    float[] m2 = new float[adam ? n : 0];
    int offset = 0;
    for (Parameter p : trainable) {
      int size = Math.toIntExact(p.getArray().size());
      copyOut(first.get(p.getId()), m1, offset);
      if (adam) {
        copyOut(second.get(p.getId()), m2, offset);
      }
      offset += size;
    }
    return new Moments(m1, m2);
  }

  /** Sets the state of the given parameters from {@link #moments} of the same architecture. */
  public void restore(Collection<Parameter> parameters, Moments moments) {
    int offset = 0;
    for (Parameter p : trainable(parameters)) {
      NDArray w = p.getArray();
      int size = Math.toIntExact(w.size());
      if (offset + size > moments.first().length) {
        throw new IllegalArgumentException("optimizer state has " + moments.first().length
            + " floats, fewer than the model's trainable parameters");
      }
      stateOf(first, p.getId(), w).set(FloatBuffer.wrap(moments.first(), offset, size));
      if (adam) {
        stateOf(second, p.getId(), w).set(FloatBuffer.wrap(moments.second(), offset, size));
      }
      offset += size;
    }
    if (offset != moments.first().length) {
      throw new IllegalArgumentException("optimizer state has " + moments.first().length + " floats, the model's "
          + "trainable parameters " + offset);
    }
  }

  private static List<Parameter> trainable(Collection<Parameter> parameters) {
    return parameters.stream().filter(Parameter::requiresGradient).toList();
  }

  private static void copyOut(NDArray state, float[] out, int offset) {
    if (state != null) {
      float[] v = state.toFloatArray();
      System.arraycopy(v, 0, out, offset, v.length);
    }
  }

  /** Flat optimizer state: Adam's moments (or SGD's momentum in {@code first}). */
  public record Moments(float[] first, float[] second) {
  }

  /** Frees the optimizer state and forgets the updates made. */
  @Override
  public void close() {
    if (state != null) {
      state.close();
      state = null;
    }
    first.clear();
    second.clear();
    updates.clear();
    direct.clear();
    updateCount = 0;
  }

  /** DJL's optimizer settings (weight decay; gradient rescale 1 and no clipping at DJL's defaults). */
  private static final class Settings extends OptimizerBuilder<Settings> {
    @Override
    protected Settings self() {
      return this;
    }
  }
}
