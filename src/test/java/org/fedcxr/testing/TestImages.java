package org.fedcxr.testing;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Encodes small test images of every kind the decoder must handle. */
public final class TestImages {
  private TestImages() {
  }

  /** A gradient image of the given BufferedImage type; gray value at (x, y) is about 255 * x / w. */
  public static BufferedImage gradient(int w, int h, int type) {
    BufferedImage img = type == BufferedImage.TYPE_BYTE_INDEXED ? indexed(w, h) : new BufferedImage(w, h, type);
    WritableRaster r = img.getRaster();
    int bits = r.getSampleModel().getSampleSize(0);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int v8 = 255 * x / Math.max(1, w - 1);
        if (type == BufferedImage.TYPE_BYTE_INDEXED) {
          r.setSample(x, y, 0, v8);
        } else {
          int v = bits == 16 ? v8 * 257 : v8;
          for (int b = 0; b < r.getNumBands(); b++) {
            r.setSample(x, y, b, v);
          }
        }
      }
    }
    return img;
  }

  private static BufferedImage indexed(int w, int h) {
    byte[] ramp = new byte[256];
    for (int i = 0; i < 256; i++) {
      ramp[i] = (byte) i;
    }
    return new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, ramp, ramp, ramp));
  }

  public static byte[] encode(BufferedImage img, String format) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      if (!ImageIO.write(img, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] png(int w, int h) {
    return encode(gradient(w, h, BufferedImage.TYPE_BYTE_GRAY), "png");
  }

  public static byte[] jpeg(int w, int h) {
    return encode(gradient(w, h, BufferedImage.TYPE_3BYTE_BGR), "jpeg");
  }

  /** The first {@code fraction} of the bytes: a file cut short, as by an interrupted copy. */
  public static byte[] truncate(byte[] bytes, double fraction) {
    return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
  }

  /** A PNG whose compressed pixel data cannot be inflated: the zlib header of its first IDAT chunk is invalid. */
  public static byte[] corruptPng(int w, int h) {
    byte[] png = png(w, h);
    for (int i = 8; i + 5 < png.length; i++) {
      if (png[i] == 'I' && png[i + 1] == 'D' && png[i + 2] == 'A' && png[i + 3] == 'T') {
        png[i + 4] = (byte) 0xff;
        png[i + 5] = (byte) 0xff;
        return png;
      }
    }
    throw new IllegalStateException("no IDAT chunk");
  }

  public static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
