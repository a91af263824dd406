package org.fedcxr.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes PNG and JPEG files (8- or 16-bit, gray, RGB or palette) to 8-bit gray, and tells exactly why a file is
 * rejected: empty, not an image, another image format, truncated, corrupt, or too small/large to be an X-ray. The
 * size is checked from the header before the pixels are decoded: the sides, and the memory decoding takes (the
 * decoded raster, sides x bands x bit depth, plus the 8-bit gray copy) against a budget, so that one image cannot
 * take more than a set share of the JVM's memory; an {@link OutOfMemoryError} while decoding one image still
 * rejects that image alone. One instance serves one thread (an executor task):
 * it keeps one ImageIO reader per format and reuses it for every file.
 */
public final class ImageDecoder {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  static {
    ImageIO.setUseCache(false);
  }

  private final int minSide;
  private final int maxSide;
  private final long maxDecodeBytes;
  private final Map<String, ImageReader> readers = new HashMap<>();
  private final List<String> warnings = new ArrayList<>();

  /**
   * Accepts images whose shorter side is at least {@code minSide}, longer side at most {@code maxSide}, and whose
   * decoding needs at most {@code maxDecodeBytes} (see {@link #decodeBudget}).
   */
  public ImageDecoder(int minSide, int maxSide, long maxDecodeBytes) {
    this.minSide = minSide;
    this.maxSide = maxSide;
    this.maxDecodeBytes = maxDecodeBytes;
  }

  /**
   * The decoding budget of one of {@code concurrent} decoders sharing a JVM of {@code maxHeap} bytes: a quarter of
   * the heap split between them.
   */
  public static long decodeBudget(long maxHeap, int concurrent) {
    return maxHeap / 4 / Math.max(1, concurrent);
  }

  public Decoded decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return Decoded.rejected(Reason.EMPTY, "zero-byte file");
    }
    String format = sniff(bytes);
    if (format == null) {
      return Decoded.rejected(Reason.NOT_AN_IMAGE, "no PNG or JPEG signature (first bytes " + hex(bytes) + ")");
    }
    if (!format.equals("png") && !format.equals("jpeg")) {
      return Decoded.rejected(Reason.UNSUPPORTED_FORMAT, format + " files are not supported (PNG or JPEG only)");
    }
    ImageReader reader = readers.computeIfAbsent(format, this::newReader);
    warnings.clear();
    boolean failed = false;
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      int w = reader.getWidth(0);
      int h = reader.getHeight(0);
      if (Math.max(w, h) > maxSide) {
        return Decoded.rejected(Reason.TOO_LARGE, w + "x" + h + " exceeds the largest accepted side " + maxSide);
      }
      if (Math.min(w, h) < minSide) {
        return Decoded.rejected(Reason.TOO_SMALL, w + "x" + h + " is below the smallest accepted side " + minSide);
      }
      long need = decodeBytes(reader, w, h);
      if (need > maxDecodeBytes) {
        return Decoded.rejected(Reason.TOO_LARGE, w + "x" + h + " needs " + mib(need) + " to decode, over the "
            + mib(maxDecodeBytes) + " one image may take");
      }
      try {
        BufferedImage image = reader.read(0);
        if (!warnings.isEmpty()) {
          return Decoded.rejected(Reason.TRUNCATED, format + " decoder: " + String.join("; ", warnings));
        }
        return Decoded.ok(toGray(image));
      } catch (OutOfMemoryError e) {
        failed = true;
        return outOfMemory(w, h, e);
      } catch (IOException | RuntimeException e) {
        // ImageIO's PNG reader wraps an OutOfMemoryError in an IIOException ("Caught exception during read")
        OutOfMemoryError oom = outOfMemoryIn(e);
        if (oom == null) {
          throw e;
        }
        failed = true;
        return outOfMemory(w, h, oom);
      }
    } catch (IOException | RuntimeException e) {
      failed = true;
      return classify(format, e);
    } finally {
      if (failed) {
        readers.remove(format);
        reader.dispose();
      } else {
        reader.setInput(null);
      }
    }
  }

  /** The decoded raster (sides x bands x bits per sample, from the header) plus the 8-bit gray copy. */
  private static long decodeBytes(ImageReader reader, int w, int h) throws IOException {
    ImageTypeSpecifier type = reader.getRawImageType(0);
    if (type == null) {
      Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
      type = types.hasNext() ? types.next() : null;
    }
    long bits = 32; // unknown layout: assume four 8-bit bands
    if (type != null) {
      bits = 0;
      for (int b : type.getSampleModel().getSampleSize()) {
        bits += b;
      }
    }
    long pixels = (long) w * h;
    return pixels * bits / 8 + pixels;
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024));
  }

  private ImageReader newReader(String format) {
    Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
    ImageReader reader = it.next();
    reader.addIIOReadWarningListener(new IIOReadWarningListener() {
      @Override
      public void warningOccurred(ImageReader source, String warning) {
        warnings.add(warning);
      }
    });
    return reader;
  }

  private static Decoded outOfMemory(int w, int h, OutOfMemoryError e) {
    return Decoded.rejected(Reason.TOO_LARGE, w + "x" + h + ": out of memory while decoding (" + e.getMessage() + ")");
  }

  private static OutOfMemoryError outOfMemoryIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError oom) {
        return oom;
      }
    }
    return null;
  }

  private static Decoded classify(String format, Exception e) {
    String message = String.valueOf(e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase();
      if (t instanceof EOFException || m.contains("end of") || m.contains("premature") || m.contains("eof")) {
        return Decoded.rejected(Reason.TRUNCATED, format + " data ends early: " + t.getMessage());
      }
    }
    if (message.toLowerCase().contains("unsupported")) {
      return Decoded.rejected(Reason.UNSUPPORTED_FORMAT, format + ": " + message);
    }
    return Decoded.rejected(Reason.CORRUPT, format + " cannot be decoded: " + e);
  }

  /** The format named by the file's first bytes, or null when they are not those of a known image format. */
  static String sniff(byte[] b) {
    if (startsWith(b, PNG)) {
      return "png";
    }
    if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
      return "jpeg";
    }
    if (startsWith(b, "GIF8".getBytes())) {
      return "gif";
    }
    if (startsWith(b, "BM".getBytes())) {
      return "bmp";
    }
    if (startsWith(b, new byte[] {'I', 'I', 42, 0}) || startsWith(b, new byte[] {'M', 'M', 0, 42})) {
      return "tiff";
    }
    if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
      return "dicom";
    }
    return null;
  }

  /** Converts any decoded image to 8-bit gray: 16-bit samples are scaled, colour becomes luma (BT.601). */
  static GrayImage toGray(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    byte[] out = new byte[w * h];
    boolean simple = raster.getMinX() == 0 && raster.getMinY() == 0 && raster.getParent() == null;
    if (simple && image.getType() == BufferedImage.TYPE_BYTE_GRAY
        && raster.getDataBuffer() instanceof DataBufferByte db && db.getData().length == w * h) {
      System.arraycopy(db.getData(), 0, out, 0, w * h);
    } else if (simple && image.getType() == BufferedImage.TYPE_USHORT_GRAY
        && raster.getDataBuffer() instanceof DataBufferUShort db && db.getData().length == w * h) {
      short[] s = db.getData();
      for (int i = 0; i < out.length; i++) {
        out[i] = (byte) (((s[i] & 0xffff) * 255 + 32767) / 65535);
      }
    } else if (image.getColorModel() instanceof IndexColorModel) {
      int[] rgb = new int[w];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, rgb, 0, w);
        for (int x = 0; x < w; x++) {
          int p = rgb[x];
          out[y * w + x] = (byte) luma((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff, 255);
        }
      }
    } else {
      int bands = raster.getNumBands();
      int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
      int[] row = new int[w * bands];
      for (int y = 0; y < h; y++) {
        raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
        for (int x = 0; x < w; x++) {
          int i = x * bands;
          int v = bands >= 3 ? luma(row[i], row[i + 1], row[i + 2], max) : scale(row[i], max);
          out[y * w + x] = (byte) v;
        }
      }
    }
    return new GrayImage(w, h, out);
  }

  private static int luma(int r, int g, int b, int max) {
    return scale((int) Math.round(0.299 * r + 0.587 * g + 0.114 * b), max);
  }

  private static int scale(int v, int max) {
    return max == 255 ? Math.min(255, v) : (int) Math.min(255, Math.round(v * 255.0 / max));
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(8, b.length); i++) {
      sb.append(String.format("%02x", b[i] & 0xff));
    }
    return sb.toString();
  }
}
