package org.fedcxr.model;

/** The models' input contract: 8-bit gray pixels become {@code (x / 255 − 0.5) / 0.25}, one channel. */
public final class Pixels {
  private Pixels() {
  }

  /** One pixel value in [0, 255] (clamped), normalised. */
  public static float normalise(double v) {
    return (float) ((Math.max(0, Math.min(255, v)) / 255.0 - 0.5) / 0.25);
  }

  /** All pixels of an image, normalised into {@code out} from {@code offset}. */
  public static void normalise(byte[] px, float[] out, int offset) {
    for (int i = 0; i < px.length; i++) {
      out[offset + i] = normalise(px[i] & 0xff);
    }
  }

  /** Bilinear sample of an 8-bit image at (x, y) in pixel coordinates, clamped to the border. */
  public static double bilinear(byte[] px, int h, int w, double x, double y) {
    x = Math.max(0, Math.min(w - 1, x));
    y = Math.max(0, Math.min(h - 1, y));
    int x0 = (int) x;
    int y0 = (int) y;
    int x1 = Math.min(w - 1, x0 + 1);
    int y1 = Math.min(h - 1, y0 + 1);
    double fx = x - x0;
    double fy = y - y0;
    double top = (px[y0 * w + x0] & 0xff) * (1 - fx) + (px[y0 * w + x1] & 0xff) * fx;
    double bottom = (px[y1 * w + x0] & 0xff) * (1 - fx) + (px[y1 * w + x1] & 0xff) * fx;
    return top * (1 - fy) + bottom * fy;
  }
}
