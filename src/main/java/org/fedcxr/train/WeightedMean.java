package org.fedcxr.train;

/**
 * A running weighted sum of client weights (in double), so the driver holds one client's update at a time whatever
 * the number of clients: FedAvg's average weighted by each client's share of the samples.
 */
public final class WeightedMean {
  private final double[] sum;
  private long samples;

  public WeightedMean(int size) {
    this.sum = new double[size];
  }

  public void add(float[] weights, long n) {
    add(java.nio.FloatBuffer.wrap(weights), n);
  }

  public void add(java.nio.FloatBuffer weights, long n) {
    if (weights.remaining() != sum.length) {
      throw new IllegalArgumentException("update has " + weights.remaining() + " values, expected " + sum.length);
    }
    java.nio.FloatBuffer in = weights.duplicate();
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
