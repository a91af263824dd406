package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * A block's BatchNorm running statistics recomputed from images, as PyTorch's {@code update_bn} with momentum None:
 * each batch runs through the block in training mode (normalised by its own statistics, no gradients), and each
 * layer's running mean and variance become the batches' means and unbiased variances averaged with the batch sizes
 * as weights. Each shard accumulates its batches; {@link Sums} of several shards add up, so shards on several
 * executors, added in a fixed order, give one result whatever ran where.
 */
public final class BatchNormStatistics {
  private final Block block;
  private final List<Parameter> running; // walked once, not per batch
  private final float[] zeros;
  private final double[] values;
  private long images;

  /** Sums of batch statistics over {@code images}, every running statistic's values in state-dict order. */
  public record Sums(long images, double[] values) implements Serializable {
    public Sums plus(Sums other) {
      if (other.values.length != values.length) {
        throw new IllegalArgumentException("sums of " + other.values.length + " and " + values.length + " values");
      }
      double[] v = values.clone();
      for (int i = 0; i < v.length; i++) {
        v[i] += other.values[i];
      }
      return new Sums(images + other.images, v);
    }
  }

  /** An empty accumulator for the block's BatchNorm layers. */
  public BatchNormStatistics(Block block) {
    this.block = block;
    this.running = running(block);
    this.values = new double[size(running)];
    long largest = running.stream().mapToLong(p -> p.getArray().size()).max().orElse(0);
    this.zeros = new float[Math.toIntExact(largest)];
  }

  /**
   * Adds one batch: {@code n ≥ 2} normalised images of h x w through the block in training mode. The block's running
   * statistics are left at the batch's share of them; {@link #apply} sets them.
   */
  public void add(NDManager manager, float[] batch, int n, int h, int w) {
    if (n < 2) {
      throw new IllegalArgumentException("a batch for BatchNorm statistics needs at least 2 images, not " + n);
    }
    for (Parameter p : running) {
      NDArray a = p.getArray();
      a.set(FloatBuffer.wrap(zeros, 0, Math.toIntExact(a.size())));
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.create(batch, new Shape(n, 1, h, w));
      block.forward(new ParameterStore(scope, false), new NDList(x), true);
    }
    int i = 0;
    for (Parameter p : running) {
      for (float f : p.getArray().toFloatArray()) { // from zero, one step leaves (1 − kept) x the batch's value
        values[i++] += (double) f / (1 - Layers.BN_KEPT) * n;
      }
    }
    images += n;
  }

  /** The sums so far (null before the first batch). */
  public Sums sums() {
    return images == 0 ? null : new Sums(images, values.clone());
  }

  /** Sets every running statistic of the block to its average in {@code sums}. */
  public static void apply(Block block, Sums sums) {
    List<Parameter> running = running(block);
    if (sums.values.length != size(running)) {
      throw new IllegalArgumentException("sums of " + sums.values.length + " values for a block with "
          + size(running) + " running statistics");
    }
    int i = 0;
    for (Parameter p : running) {
      float[] mean = new float[Math.toIntExact(p.getArray().size())];
      for (int k = 0; k < mean.length; k++) {
        mean[k] = (float) (sums.values[i++] / sums.images);
      }
      p.getArray().set(FloatBuffer.wrap(mean));
    }
  }

  private static List<Parameter> running(Block block) {
    return StateDict.of(block).entrySet().stream()
        .filter(e -> e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var"))
        .map(Map.Entry::getValue).toList();
  }

  private static int size(List<Parameter> parameters) {
    long n = 0;
    for (Parameter p : parameters) {
      n += p.getArray().size();
    }
    return Math.toIntExact(n);
  }
}
