package org.fedcxr.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import org.fedcxr.testing.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(64, 4096, Long.MAX_VALUE);

  @ParameterizedTest
  @ValueSource(ints = {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_3BYTE_BGR,
      BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_INDEXED})
  void decodesEveryPngKindToTheSameGray(int type) {
    Decoded d = decoder.decode(TestImages.encode(TestImages.gradient(100, 80, type), "png"));
    assertTrue(d.isOk(), () -> d.reason() + ": " + d.detail());
    assertEquals(100, d.image().width());
    assertEquals(80, d.image().height());
    assertEquals(0, d.image().at(0, 10));
    assertEquals(255, d.image().at(99, 10), 1);
    assertEquals(255 * 50 / 99, d.image().at(50, 40), 1);
  }

  @Test
  void decodesJpeg() {
    Decoded d = decoder.decode(TestImages.jpeg(128, 96));
    assertTrue(d.isOk(), () -> d.reason() + ": " + d.detail());
    assertEquals(128 * 96, d.image().pixels().length);
    assertEquals(255 * 64 / 127, d.image().at(64, 48), 6);
  }

  @Test
  void rejectsEachKindOfBadInputWithItsReason() {
    assertEquals(Reason.EMPTY, decoder.decode(new byte[0]).reason());
    assertEquals(Reason.NOT_AN_IMAGE,
        decoder.decode("Image Index,Finding Labels\n".getBytes(StandardCharsets.UTF_8)).reason());
    assertEquals(Reason.UNSUPPORTED_FORMAT,
        decoder.decode(TestImages.encode(TestImages.gradient(80, 80, BufferedImage.TYPE_BYTE_GRAY), "gif"))
            .reason());
    assertEquals(Reason.UNSUPPORTED_FORMAT,
        decoder.decode(TestImages.encode(TestImages.gradient(80, 80, BufferedImage.TYPE_3BYTE_BGR), "bmp"))
            .reason());
    assertEquals(Reason.TRUNCATED, decoder.decode(TestImages.truncate(TestImages.png(200, 200), 0.5)).reason());
    assertEquals(Reason.TRUNCATED, decoder.decode(TestImages.truncate(TestImages.png(200, 200), 0.02)).reason());
    assertEquals(Reason.TRUNCATED, decoder.decode(TestImages.truncate(TestImages.jpeg(200, 200), 0.5)).reason());
    Decoded small = decoder.decode(TestImages.png(32, 200));
    assertEquals(Reason.TOO_SMALL, small.reason());
    assertTrue(small.detail().contains("32x200"), small.detail());
    assertEquals(Reason.TOO_LARGE, new ImageDecoder(16, 100, Long.MAX_VALUE).decode(TestImages.png(101, 50)).reason());
  }

  /**
   * The memory a decode takes is read from the header (sides, bands, bit depth) and checked before any pixel is
   * decoded: an 8-bit RGBA image needs 4 bytes a pixel for its raster plus 1 for the gray copy, a 16-bit gray one 3,
   * an 8-bit gray one 2.
   */
  @Test
  void anImageWhoseDecodingWouldExceedTheBudgetIsRejectedFromItsHeader() {
    byte[] rgba = TestImages.encode(TestImages.gradient(200, 100, BufferedImage.TYPE_4BYTE_ABGR), "png");
    byte[] gray16 = TestImages.encode(TestImages.gradient(200, 100, BufferedImage.TYPE_USHORT_GRAY), "png");
    long budget = 200 * 100 * 3; // 60,000 bytes
    ImageDecoder small = new ImageDecoder(16, 4096, budget);
    Decoded d = small.decode(TestImages.png(200, 100)); // 8-bit gray: 40,000 bytes
    assertTrue(d.isOk(), () -> d.reason() + ": " + d.detail());
    Decoded g = small.decode(gray16); // 16-bit gray: 60,000 bytes, exactly the budget
    assertTrue(g.isOk(), () -> g.reason() + ": " + g.detail());
    Decoded r = small.decode(rgba); // 100,000 bytes
    assertEquals(Reason.TOO_LARGE, r.reason());
    assertEquals("200x100 needs 0.10 MiB to decode, over the 0.06 MiB one image may take", r.detail());
    assertEquals(Reason.TOO_LARGE, new ImageDecoder(16, 4096, budget - 1).decode(gray16).reason());
    assertEquals(1L << 30, ImageDecoder.decodeBudget(8L << 30, 2), "a quarter of the heap split between two tasks");
  }

  @Test
  void pixelDataThatCannotBeInflatedIsCorruptNotTruncated() {
    Decoded d = decoder.decode(TestImages.corruptPng(200, 200));
    assertNull(d.image());
    assertEquals(Reason.CORRUPT, d.reason(), d.detail());
    assertTrue(d.detail().startsWith("png cannot be decoded"), d.detail());
  }
}
