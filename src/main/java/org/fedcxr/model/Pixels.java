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
}
