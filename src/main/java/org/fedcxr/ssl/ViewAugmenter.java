package org.fedcxr.ssl;

import java.io.Serializable;
import java.util.SplittableRandom;
import org.fedcxr.model.Pixels;

/**
 * The augmentations that make the two views of an image for self-supervised pretraining on gray chest X-rays, each
 * applied with its own probability: random resized crop (area share in [{@code minScale}, 1]), rotation up to
 * {@code maxDegrees}, brightness/contrast/gamma jitter, Gaussian blur, Gaussian noise, horizontal flip (off by
 * default: it moves the heart to the other side) and the edge-component blend x' = (1−λ)·x + λ·edges(x) with λ
 * drawn per image from [{@code edgeMin}, {@code edgeMax}], edges(x) the Sobel gradient magnitude normalised to
 * [0, 255]. Output values are clamped to [0, 255] before the models' normalisation.
 */
public record ViewAugmenter(double cropProbability, double minScale, double rotateProbability, double maxDegrees,
    double colorProbability, double brightness, double contrast, double gamma, double blurProbability,
    double noiseProbability, double noiseStd, double flipProbability, double edgeProbability, double edgeMin,
    double edgeMax) implements Serializable {

  /** The defaults: strong crops and photometric jitter, edge blend half the time, no flips. */
  public static final ViewAugmenter DEFAULT = new ViewAugmenter(1.0, 0.3, 0.5, 10, 0.8, 0.2, 0.2, 0.2, 0.5, 0.3,
      8, 0.0, 0.5, 0.2, 0.6);

  /** A view of the image (8-bit gray, h x w), normalised for the models, into {@code out} at {@code offset}. */
  public void view(byte[] px, int h, int w, SplittableRandom rnd, float[] out, int offset) {
    double[] x = new double[h * w];
    geometry(px, h, w, rnd, x);
    if (rnd.nextDouble() < colorProbability) {
      color(x, rnd);
    }
    if (rnd.nextDouble() < blurProbability) {
      x = blur(x, h, w, 0.5 + rnd.nextDouble());
    }
    if (rnd.nextDouble() < edgeProbability) {
      edgeBlend(x, h, w, edgeMin + rnd.nextDouble() * (edgeMax - edgeMin));
    }
    boolean noise = rnd.nextDouble() < noiseProbability;
    for (int i = 0; i < x.length; i++) {
      double v = noise ? x[i] + rnd.nextGaussian() * noiseStd : x[i];
      out[offset + i] = Pixels.normalise(v);
    }
  }

  private void geometry(byte[] px, int h, int w, SplittableRandom rnd, double[] out) {
    boolean crop = rnd.nextDouble() < cropProbability;
    double scale = minScale + rnd.nextDouble() * (1 - minScale);
    double aspect = Math.exp(Math.log(0.75) + rnd.nextDouble() * (Math.log(4.0 / 3) - Math.log(0.75)));
    double cw = crop ? Math.min(1, Math.sqrt(scale * aspect)) : 1;
    double ch = crop ? Math.min(1, Math.sqrt(scale / aspect)) : 1;
    double cx = cw / 2 + rnd.nextDouble() * (1 - cw);
    double cy = ch / 2 + rnd.nextDouble() * (1 - ch);
    double angle = rnd.nextDouble() < rotateProbability ? Math.toRadians((rnd.nextDouble() * 2 - 1) * maxDegrees)
        : 0;
    boolean flip = rnd.nextDouble() < flipProbability;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    for (int y = 0; y < h; y++) {
      double v = ((y + 0.5) / h - 0.5) * ch;
      for (int xi = 0; xi < w; xi++) {
        double u = ((flip ? w - 1 - xi : xi) + 0.5) / w - 0.5;
        u *= cw;
        double sx = (cx + u * cos - v * sin) * w - 0.5;
        double sy = (cy + u * sin + v * cos) * h - 0.5;
        out[y * w + xi] = Pixels.bilinear(px, h, w, sx, sy);
      }
    }
  }

  private void color(double[] x, SplittableRandom rnd) {
    double gain = 1 + (rnd.nextDouble() * 2 - 1) * contrast;
    double shift = (rnd.nextDouble() * 2 - 1) * brightness * 255;
    double g = Math.exp((rnd.nextDouble() * 2 - 1) * gamma);
    double mean = 0;
    for (double v : x) {
      mean += v;
    }
    mean /= x.length;
    for (int i = 0; i < x.length; i++) {
      double v = clamp((x[i] - mean) * gain + mean + shift);
      x[i] = 255 * Math.pow(v / 255, g);
    }
  }

  /** Separable Gaussian blur with standard deviation {@code sigma} pixels. */
  static double[] blur(double[] x, int h, int w, double sigma) {
    int r = Math.max(1, (int) Math.ceil(2 * sigma));
    double[] k = new double[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
      sum += k[i + r];
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= sum;
    }
    double[] tmp = new double[x.length];
    double[] out = new double[x.length];
    for (int y = 0; y < h; y++) {
      for (int xi = 0; xi < w; xi++) {
        double acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * x[y * w + Math.max(0, Math.min(w - 1, xi + i))];
        }
        tmp[y * w + xi] = acc;
      }
    }
    for (int y = 0; y < h; y++) {
      for (int xi = 0; xi < w; xi++) {
        double acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * tmp[Math.max(0, Math.min(h - 1, y + i)) * w + xi];
        }
        out[y * w + xi] = acc;
      }
    }
    return out;
  }

  /** The edge-component augmentation: x := (1−λ)·x + λ·edges(x). */
  static void edgeBlend(double[] x, int h, int w, double lambda) {
    double[] e = edges(x, h, w);
    for (int i = 0; i < x.length; i++) {
      x[i] = (1 - lambda) * x[i] + lambda * e[i];
    }
  }

  /** Sobel gradient magnitude, scaled so its maximum is 255 (all zero for a flat image). */
  static double[] edges(double[] x, int h, int w) {
    double[] out = new double[x.length];
    double max = 0;
    for (int y = 0; y < h; y++) {
      for (int xi = 0; xi < w; xi++) {
        double gx = at(x, h, w, xi + 1, y - 1) + 2 * at(x, h, w, xi + 1, y) + at(x, h, w, xi + 1, y + 1)
            - at(x, h, w, xi - 1, y - 1) - 2 * at(x, h, w, xi - 1, y) - at(x, h, w, xi - 1, y + 1);
        double gy = at(x, h, w, xi - 1, y + 1) + 2 * at(x, h, w, xi, y + 1) + at(x, h, w, xi + 1, y + 1)
            - at(x, h, w, xi - 1, y - 1) - 2 * at(x, h, w, xi, y - 1) - at(x, h, w, xi + 1, y - 1);
        double g = Math.sqrt(gx * gx + gy * gy);
        out[y * w + xi] = g;
        max = Math.max(max, g);
      }
    }
    if (max > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] = out[i] * 255 / max;
      }
    }
    return out;
  }

  private static double at(double[] x, int h, int w, int xi, int y) {
    return x[Math.max(0, Math.min(h - 1, y)) * w + Math.max(0, Math.min(w - 1, xi))];
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(255, v));
  }
}
