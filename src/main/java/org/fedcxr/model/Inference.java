package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A classifier loaded once per JVM (an executor) from safetensors bytes, scoring batches of normalised images in
 * inference mode (BatchNorm running statistics). Instances are cached by key, so every task of an executor shares
 * one model; scoring is serialised per model.
 */
public final class Inference {
  private static final Map<String, Inference> CACHE = new ConcurrentHashMap<>();

  private final NDManager manager;
  private final Classifier model;
  private final int labels;

  private Inference(Architecture architecture, int labels, byte[] weights) {
    this.labels = labels;
    this.manager = NDManager.newBaseManager();
    this.model = Classifier.of(architecture, labels);
    model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 32, 32));
    try {
      Weights.load(model, new ByteArrayInputStream(weights));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model weights", e);
    }
  }

  /** The model for {@code key}, loaded from {@code weights} the first time this JVM asks for it. */
  public static Inference cached(String key, Architecture architecture, int labels, byte[] weights) {
    return CACHE.computeIfAbsent(key, k -> new Inference(architecture, labels, weights));
  }

  /** Probabilities (sigmoid of the logits), {@code n x labels}, for {@code n} normalised images of h x w. */
  public synchronized float[] probabilities(float[] images, int n, int h, int w) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.create(images, new Shape(n, 1, h, w));
      NDArray logits = model.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
      return ai.djl.nn.Activation.sigmoid(logits).toFloatArray();
    }
  }

  public int labels() {
    return labels;
  }
}
