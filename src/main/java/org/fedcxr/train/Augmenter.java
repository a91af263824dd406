package org.fedcxr.train;

import java.io.Serializable;
import java.util.SplittableRandom;
import org.fedcxr.model.Pixels;

/**
 * Supervised augmentations for gray X-rays, done in one resampling pass: a random resized crop (area share in
 * [{@code minScale}, 1], aspect in [3/4, 4/3]), a rotation of up to {@code maxDegrees}, then brightness and contrast
 * jitter. Horizontal flips are left out (they move the heart to the wrong side). Output is normalised as the
 * models expect ({@link Pixels}).
 */
public record Augmenter(boolean enabled, double minScale, double maxDegrees, double brightness, double contrast)
    implements Serializable {
  public static final Augmenter NONE = new Augmenter(false, 1, 0, 0, 0);
  public static final Augmenter DEFAULT = new Augmenter(true, 0.7, 10, 0.1, 0.1);

  /** Writes the (augmented) normalised image into {@code out} at {@code offset}. */
  public void apply(byte[] px, int h, int w, SplittableRandom rnd, float[] out, int offset) {
    if (!enabled) {
      Pixels.normalise(px, out, offset);
      return;
    }
    double scale = minScale + rnd.nextDouble() * (1 - minScale);
    double aspect = Math.exp(Math.log(0.75) + rnd.nextDouble() * (Math.log(4.0 / 3) - Math.log(0.75)));
    double cw = Math.min(1, Math.sqrt(scale * aspect));
    double ch = Math.min(1, Math.sqrt(scale / aspect));
    double cx = cw / 2 + rnd.nextDouble() * (1 - cw);
    double cy = ch / 2 + rnd.nextDouble() * (1 - ch);
    double angle = Math.toRadians((rnd.nextDouble() * 2 - 1) * maxDegrees);
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    double gain = 1 + (rnd.nextDouble() * 2 - 1) * contrast;
    double shift = (rnd.nextDouble() * 2 - 1) * brightness * 255;
    double mean = 0;
    for (int i = 0; i < h * w; i++) {
      mean += px[i] & 0xff;
    }
    mean /= h * w;
    for (int y = 0; y < h; y++) {
      double v = ((y + 0.5) / h - 0.5) * ch;
      for (int x = 0; x < w; x++) {
        double u = ((x + 0.5) / w - 0.5) * cw;
        double sx = (cx + u * cos - v * sin) * w - 0.5;
        double sy = (cy + u * sin + v * cos) * h - 0.5;
        double value = Pixels.bilinear(px, h, w, sx, sy);
        out[offset + y * w + x] = Pixels.normalise((value - mean) * gain + mean + shift);
      }
    }
  }
}
