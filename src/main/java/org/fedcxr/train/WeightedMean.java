package org.fedcxr.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * A running weighted sum of client weights (in double): FedAvg's average weighted by each client's share of the
 * samples. A task sums its clients' weights in client order; the driver adds the tasks' partial sums
 * ({@link #sumBytes}, {@link #addSum}) in task order, so the result depends only on the grouping, never on which
 * executor ran what or when.
 */
public final class WeightedMean {
  private final double[] sum;
  private long samples;

  public WeightedMean(int size) {
    this.sum = new double[size];
  }

  public void add(float[] weights, long n) {
    add(FloatBuffer.wrap(weights), n);
  }

  public void add(FloatBuffer weights, long n) {
    if (weights.remaining() != sum.length) {
      throw new IllegalArgumentException("update has " + weights.remaining() + " values, expected " + sum.length);
    }
    FloatBuffer in = weights.duplicate();
    float[] block = new float[Math.min(sum.length, 1 << 16)];
    for (int from = 0; from < sum.length; from += block.length) {
      int len = Math.min(block.length, sum.length - from);
      in.get(block, 0, len);
      for (int i = 0; i < len; i++) {
        sum[from + i] += (double) block[i] * n;
      }
    }
    samples += n;
  }

  /** Adds another sum of weights × samples over {@code n} samples (little-endian doubles, {@link #sumBytes}). */
  public void addSum(byte[] partial, long n) {
    if (partial.length != 8L * sum.length) {
      throw new IllegalArgumentException("partial sum has " + partial.length / 8 + " values, expected " + sum.length);
    }
    DoubleBuffer in = ByteBuffer.wrap(partial).order(ByteOrder.LITTLE_ENDIAN)
        .asDoubleBuffer();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += in.get(i);
    }
    samples += n;
  }

  /** The sum of weights × samples as little-endian doubles (one block for Java serialization). */
  public byte[] sumBytes() {
    ByteBuffer b = ByteBuffer.allocate(8 * sum.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(sum);
    return b.array();
  }

  public long samples() {
    return samples;
  }

  /** The weighted mean; at least one update must have been added. */
  public float[] mean() {
    if (samples == 0) {
      throw new IllegalStateException("no client update to average");
    }
    float[] out = new float[sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sum[i] / samples);
    }
    return out;
  }
}
