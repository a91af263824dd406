package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A classifier loaded once per JVM (an executor) from safetensors bytes, scoring batches of normalised images in
 * inference mode (BatchNorm running statistics). Instances are cached by key, so every task of an executor shares
 * one model; scoring is serialised per model. The cache keeps the {@value #KEEP} most recently loaded models (a
 * federated run scores a new global model every round) and frees older ones.
 */
public final class Inference {
  private static final int KEEP = 2;
  private static final Map<String, Inference> CACHE = new LinkedHashMap<>();

  private final NDManager manager;
  private final Classifier model;

  private Inference(Architecture architecture, int labels, byte[] weights, boolean encoderOnly) {
    this.manager = NDManager.newBaseManager();
    this.model = Classifier.of(architecture, labels);
    TorchThread.run(() -> {
      Initialization.unseeded(() -> model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 32, 32)));
      try {
        Weights.load(encoderOnly ? model.encoder() : model, new ByteArrayInputStream(weights));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the model weights", e);
      }
    });
  }

  /** The classifier for {@code key}, loaded from {@code weights} the first time this JVM asks for it. */
  public static Inference cached(String key, Architecture architecture, int labels, byte[] weights) {
    return cached(key, architecture, labels, weights, false);
  }

  /**
   * The model for {@code key}; with {@code encoderOnly} the weights are an encoder's (a pretraining export) and only
   * {@link #features} is meaningful.
   */
  public static synchronized Inference cached(String key, Architecture architecture, int labels, byte[] weights,
      boolean encoderOnly) {
    Inference m = CACHE.get(key);
    if (m == null) {
      m = new Inference(architecture, labels, weights, encoderOnly);
      CACHE.put(key, m);
      while (CACHE.size() > KEEP) {
        evict(CACHE.keySet().iterator().next());
      }
    }
    return m;
  }

  /** Drops a cached model and frees its native memory. */
  public static synchronized void evict(String key) {
    Inference m = CACHE.remove(key);
    if (m != null) {
      synchronized (m) {
        m.manager.close();
      }
    }
  }

  /** Probabilities (sigmoid of the logits), {@code n x labels}, for {@code n} normalised images of h x w. */
  public synchronized float[] probabilities(float[] images, int n, int h, int w) {
    return TorchThread.call(() -> {
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.create(images, new Shape(n, 1, h, w));
        NDArray logits = model.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
        return Activation.sigmoid(logits).toFloatArray();
      }
    });
  }

  /** The encoder's feature vectors, {@code n x features}, for {@code n} normalised images of h x w. */
  public synchronized float[] features(float[] images, int n, int h, int w) {
    return TorchThread.call(() -> {
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = scope.create(images, new Shape(n, 1, h, w));
        return model.encoder().forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow()
            .toFloatArray();
      }
    });
  }
}
