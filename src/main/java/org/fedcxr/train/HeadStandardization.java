package org.fedcxr.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.Pixels;

/**
 * A client's head trained on standardised features ({@code transfer.head_standardize}): before training, the
 * encoder's features of every local image are measured once in inference mode, and the head, given as a plain
 * linear layer {@code z = W'x + b'}, is rewritten as the same function of the standardised features
 * {@code (x - mu) / s}: {@code W = W' s}, {@code b = b' + W' mu}. After training it is written back
 * ({@code W' = W / s}, {@code b' = b - W' mu}), so a client returns a plain classifier's weights and the server
 * merges them as always (the map is linear, so averaging commutes with it). Only the optimisation changes: a client
 * whose images are all negative for a disease lowers that disease's bias without moving its weights along the
 * client's mean feature vector, which is how such clients pull a FedAvg head off under label skew.
 */
final class HeadStandardization {
  private static final float EPSILON = 1e-5f;

  private final Classifier block;
  private final float[] mean;
  private final float[] scale;

  private HeadStandardization(Classifier block, float[] mean, float[] scale) {
    this.block = block;
    this.mean = mean;
    this.scale = scale;
  }

  /**
   * Measures the features' mean and standard deviation ({@code sqrt(var + 1e-5)}) over {@code shard}'s images (at
   * least one), rewrites the head and has {@code block} standardise its features; the constants live in
   * {@code manager}.
   */
  static HeadStandardization enter(Classifier block, LocalShard shard, int batchSize, NDManager manager) {
    int h = shard.height();
    int w = shard.width();
    double[] sum = null;
    double[] squares = null;
    byte[] px = new byte[h * w];
    float[] labels = new float[shard.labelCount()];
    for (int b = 0; b < shard.size(); b += batchSize) {
      int n = Math.min(batchSize, shard.size() - b);
      float[] x = new float[n * h * w];
      for (int i = 0; i < n; i++) {
        shard.read(b + i, px, labels);
        Pixels.normalise(px, x, i * h * w);
      }
      try (NDManager batch = manager.newSubManager()) {
        NDArray images = batch.create(x, new Shape(n, 1, h, w));
        float[] f = block.features(new ParameterStore(batch, false), images).toFloatArray();
        int features = f.length / n;
        if (sum == null) {
          sum = new double[features];
          squares = new double[features];
        }
        for (int i = 0; i < f.length; i++) {
          sum[i % features] += f[i];
          squares[i % features] += (double) f[i] * f[i];
        }
      }
    }
    float[] mean = new float[sum.length];
    float[] scale = new float[sum.length];
    for (int j = 0; j < sum.length; j++) {
      double m = sum[j] / shard.size();
      mean[j] = (float) m;
      scale[j] = (float) Math.sqrt(Math.max(0, squares[j] / shard.size() - m * m) + EPSILON);
    }
    HeadStandardization s = new HeadStandardization(block, mean, scale);
    s.rewriteHead(true);
    block.setFeatureStandardization(manager.create(mean), manager.create(scale));
    return s;
  }

  /** Writes the head back as a plain linear layer on the raw features and stops standardising them. */
  void exit() {
    block.setFeatureStandardization(null, null);
    rewriteHead(false);
  }

  private void rewriteHead(boolean toStandardized) {
    Block head = block.head();
    NDArray weightArray = head.getParameters().get("weight").getArray();
    NDArray biasArray = head.getParameters().get("bias").getArray();
    float[] weight = weightArray.toFloatArray();
    float[] bias = biasArray.toFloatArray();
    int features = mean.length;
    for (int k = 0; k < bias.length; k++) {
      double dot = 0;
      for (int j = 0; j < features; j++) {
        int at = k * features + j;
        if (!toStandardized) {
          weight[at] /= scale[j]; // W' = W / s first: b' = b - W' mu uses it
        }
        dot += (double) weight[at] * mean[j];
        if (toStandardized) {
          weight[at] *= scale[j]; // b = b' + W' mu used W' before this
        }
      }
      bias[k] = (float) (toStandardized ? bias[k] + dot : bias[k] - dot);
    }
    weightArray.set(weight);
    biasArray.set(bias);
  }
}
