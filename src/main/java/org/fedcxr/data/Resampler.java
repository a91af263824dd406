package org.fedcxr.data;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Resizes gray images with a separable triangle (bilinear) filter whose support widens with the reduction factor, so
 * downscaling averages every source pixel (no aliasing), as ImageMagick's and Pillow's antialiased resize do.
 */
public final class Resampler {
  /** Filter weights depend only on (source size, target size): computed once per pair, shared by all threads. */
  private static final ConcurrentMap<Long, Kernel> KERNELS =
      new ConcurrentHashMap<>();

  private Resampler() {
  }

  /** The image resized to {@code width x height}. */
  public static GrayImage resize(GrayImage src, int width, int height) {
    if (src.width() == width && src.height() == height) {
      return src;
    }
    Kernel kx = kernel(src.width(), width);
    Kernel ky = kernel(src.height(), height);
    float[] tmp = new float[src.height() * width];
    byte[] in = src.pixels();
    int sw = src.width();
    for (int y = 0; y < src.height(); y++) {
      int rowBase = y * sw;
      for (int x = 0; x < width; x++) {
        int start = kx.start[x];
        float[] w = kx.weights[x];
        float acc = 0;
        for (int k = 0; k < w.length; k++) {
          acc += w[k] * (in[rowBase + start + k] & 0xff);
        }
        tmp[y * width + x] = acc;
      }
    }
    byte[] out = new byte[width * height];
    float[] acc = new float[width];
    for (int y = 0; y < height; y++) {
      Arrays.fill(acc, 0f);
      int start = ky.start[y];
      float[] w = ky.weights[y];
      for (int k = 0; k < w.length; k++) {
        int base = (start + k) * width;
        float wk = w[k];
        for (int x = 0; x < width; x++) {
          acc[x] += wk * tmp[base + x];
        }
      }
      for (int x = 0; x < width; x++) {
        int v = Math.round(acc[x]);
        out[y * width + x] = (byte) Math.max(0, Math.min(255, v));
      }
    }
    return new GrayImage(width, height, out);
  }

  private static Kernel kernel(int in, int out) {
    return KERNELS.computeIfAbsent(((long) in << 32) | out, k -> Kernel.of(in, out));
  }

  /** Per output index: the first source index and the normalised weights of the source indices it covers. */
  private record Kernel(int[] start, float[][] weights) {
    static Kernel of(int in, int out) {
      double scale = (double) in / out;
      double support = Math.max(1.0, scale);
      int[] start = new int[out];
      float[][] weights = new float[out][];
      for (int i = 0; i < out; i++) {
        double center = (i + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(center - support));
        int hi = Math.min(in - 1, (int) Math.ceil(center + support));
        double[] w = new double[hi - lo + 1];
        double sum = 0;
        for (int j = lo; j <= hi; j++) {
          double d = Math.abs((j + 0.5 - center) / support);
          w[j - lo] = Math.max(0, 1 - d);
          sum += w[j - lo];
        }
        int first = 0;
        while (first < w.length - 1 && w[first] == 0) {
          first++;
        }
        int last = w.length - 1;
        while (last > first && w[last] == 0) {
          last--;
        }
        float[] norm = new float[last - first + 1];
        for (int k = 0; k < norm.length; k++) {
          norm[k] = (float) (w[first + k] / sum);
        }
        start[i] = lo + first;
        weights[i] = norm;
      }
      return new Kernel(start, weights);
    }
  }
}
