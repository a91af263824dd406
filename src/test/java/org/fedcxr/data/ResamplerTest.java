package org.fedcxr.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ResamplerTest {
  @Test
  void keepsAConstantImageConstant() {
    byte[] px = new byte[300 * 200];
    Arrays.fill(px, (byte) 173);
    GrayImage out = Resampler.resize(new GrayImage(300, 200, px), 128, 128);
    for (byte b : out.pixels()) {
      assertEquals(173, b & 0xff);
    }
  }

  @Test
  void averagesFineDetailInsteadOfAliasing() {
    int n = 1024;
    byte[] px = new byte[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        px[y * n + x] = (byte) (((x + y) & 1) == 0 ? 255 : 0);
      }
    }
    GrayImage out = Resampler.resize(new GrayImage(n, n, px), 128, 128);
    for (int y = 1; y < 127; y++) {
      for (int x = 1; x < 127; x++) {
        assertEquals(127.5, out.at(x, y), 2.0, "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void upscalesAndKeepsAGradientMonotone() {
    byte[] px = new byte[64 * 64];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        px[y * 64 + x] = (byte) (x * 4);
      }
    }
    GrayImage out = Resampler.resize(new GrayImage(64, 64, px), 224, 224);
    for (int x = 1; x < 224; x++) {
      assertEquals(true, out.at(x, 100) >= out.at(x - 1, 100), "x=" + x);
    }
    assertEquals(126, out.at(112, 5), 3);
  }

  @Test
  void returnsTheSameImageAtTheSameSize() {
    GrayImage img = new GrayImage(4, 4, new byte[16]);
    assertSame(img, Resampler.resize(img, 4, 4));
  }
}
