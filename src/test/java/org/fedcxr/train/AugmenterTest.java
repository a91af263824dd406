package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmenterTest {
  static byte[] image(int n) {
    byte[] px = new byte[n * n];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) ((i % n) * 255 / (n - 1));
    }
    return px;
  }

  @Test
  void noneOnlyNormalises() {
    float[] out = new float[16];
    Augmenter.NONE.apply(image(4), 4, 4, new SplittableRandom(1), out, 0);
    assertEquals(-2f, out[0], 1e-6);
    assertEquals(2f, out[3], 1e-6);
  }

  @Test
  void sameRandomStreamSameViewOtherStreamOtherView() {
    float[] a = new float[32 * 32];
    float[] b = new float[32 * 32];
    float[] c = new float[32 * 32];
    Augmenter.DEFAULT.apply(image(32), 32, 32, new SplittableRandom(5), a, 0);
    Augmenter.DEFAULT.apply(image(32), 32, 32, new SplittableRandom(5), b, 0);
    Augmenter.DEFAULT.apply(image(32), 32, 32, new SplittableRandom(6), c, 0);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    for (float v : a) {
      assertTrue(v >= -2f && v <= 2f);
    }
  }
}
