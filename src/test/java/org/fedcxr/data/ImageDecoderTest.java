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
  private final ImageDecoder decoder = new ImageDecoder(64, 4096);

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
    assertEquals(Reason.TOO_LARGE, new ImageDecoder(16, 100).decode(TestImages.png(101, 50)).reason());
  }

  @Test
  void pixelDataThatCannotBeInflatedIsCorruptNotTruncated() {
    Decoded d = decoder.decode(TestImages.corruptPng(200, 200));
    assertNull(d.image());
    assertEquals(Reason.CORRUPT, d.reason(), d.detail());
    assertTrue(d.detail().startsWith("png cannot be decoded"), d.detail());
  }
}
