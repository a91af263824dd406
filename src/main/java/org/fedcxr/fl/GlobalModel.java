package org.fedcxr.fl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.Initialization;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.fedcxr.model.Weights;

/**
 * The driver's view of the global model: one instance of the architecture that turns flat weights into safetensors
 * and back, makes the initial weights ({@code random} from the seed, {@code ssl:<path>} a pretrained encoder with a
 * fresh head, {@code global:<path>} a whole checkpoint), and marks which flat positions are BatchNorm state.
 */
public final class GlobalModel implements AutoCloseable {
  private final NDManager manager;
  private final Classifier model;
  private final Architecture architecture;

  public GlobalModel(Architecture architecture, int labels, long seed) {
    this.architecture = architecture;
    this.manager = NDManager.newBaseManager();
    this.model = Classifier.of(architecture, labels);
    TorchThread.run(() -> Initialization.seeded((int) Seeds.derive(seed, "init"),
        () -> model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 32, 32))));
  }

  public Architecture architecture() {
    return architecture;
  }

  /** The seeded random initial weights, as a flat view. */
  public float[] current() {
    return StateDict.flatten(model);
  }

  /**
   * Weights from an encoder checkpoint (head stays fresh) or a whole-model checkpoint, shrunk towards the weights held
   * before (on a new instance, the seeded random ones): every entry, running statistics included, becomes
   * {@code share * loaded + (1 - share) * before}, so 1 keeps the checkpoint and 0 the random weights (shrink and
   * perturb, the perturbation drawn from the model's own initialisation). Entries the checkpoint does not hold (a
   * fresh head) and entries of the encoder parts in {@code randomParts} (see {@link #encoderParts}) stay as they were.
   */
  public float[] load(InputStream in, boolean encoderOnly, float share, Set<String> randomParts) throws IOException {
    if (!(share >= 0f && share <= 1f)) {
      throw new IllegalArgumentException("the pretrained share must be in [0, 1], got " + share);
    }
    if (!encoderParts().containsAll(randomParts)) {
      throw new IllegalArgumentException("unknown encoder parts " + randomParts + "; " + architecture.name()
          + "'s are " + encoderParts());
    }
    float[] random = StateDict.flatten(model);
    Weights.load(encoderOnly ? model.encoder() : model, in);
    float[] loaded = StateDict.flatten(model);
    boolean[] fromRandom = mask(name -> randomParts.contains(name.substring(0, name.indexOf('.'))));
    for (int i = 0; i < loaded.length; i++) {
      if (fromRandom[i]) {
        loaded[i] = random[i];
      } else if (share != 1f) {
        loaded[i] = share * loaded[i] + (1f - share) * random[i];
      }
    }
    StateDict.load(model, loaded);
    return loaded;
  }

  /** A copy of {@code weights} whose head bias is {@code bias} (one value per label); every other entry is kept. */
  public float[] withHeadBias(float[] weights, float[] bias) {
    boolean[] headBias = mask(name -> name.equals(architecture.head() + ".bias"));
    int first = 0;
    while (first < headBias.length && !headBias[first]) {
      first++;
    }
    int count = 0;
    while (first + count < headBias.length && headBias[first + count]) {
      count++;
    }
    if (count != bias.length) {
      throw new IllegalArgumentException("the head has " + count + " biases, not " + bias.length);
    }
    float[] out = weights.clone();
    System.arraycopy(bias, 0, out, first, count);
    return out;
  }

  /**
   * The encoder's top-level parts that hold weights, in order (ResNets: {@code conv1}, {@code bn1}, {@code layer1}
   * to {@code layer4}; DenseNet-121: {@code features}).
   */
  public List<String> encoderParts() {
    return StateDict.of(model.encoder()).keySet().stream().map(n -> n.substring(0, n.indexOf('.'))).distinct()
        .toList();
  }

  public float[] fromSafetensors(byte[] bytes) {
    try {
      Weights.load(model, new ByteArrayInputStream(bytes));
      return StateDict.flatten(model);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] toSafetensors(float[] flat, Map<String, String> metadata) {
    StateDict.load(model, flat);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      Weights.save(model, architecture.name(), metadata, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** For each flat position: whether it belongs to a BatchNorm layer (weight, bias, running statistics). */
  public boolean[] batchNormMask() {
    return mask(name -> StateDict.batchNormLayers(model).stream().anyMatch(l -> name.startsWith(l + ".")));
  }

  /** For each flat position: whether it is a running statistic (not trained by gradients). */
  public boolean[] runningStatMask() {
    return mask(name -> name.endsWith(".running_mean") || name.endsWith(".running_var"));
  }

  private boolean[] mask(Predicate<String> test) {
    boolean[] out = new boolean[StateDict.size(model)];
    int offset = 0;
    for (var e : StateDict.of(model).entrySet()) {
      int n = Math.toIntExact(e.getValue().getArray().size());
      if (test.test(e.getKey())) {
        Arrays.fill(out, offset, offset + n, true);
      }
      offset += n;
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
