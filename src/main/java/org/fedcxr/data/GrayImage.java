package org.fedcxr.data;

/** An 8-bit gray image, row-major, {@code width * height} bytes. */
public record GrayImage(int width, int height, byte[] pixels) {
  public GrayImage {
    if (pixels.length != width * height) {
      throw new IllegalArgumentException("expected " + width * height + " pixels, got " + pixels.length);
    }
  }

  /** The pixel at (x, y), 0..255. */
  public int at(int x, int y) {
    return pixels[y * width + x] & 0xff;
  }
}
