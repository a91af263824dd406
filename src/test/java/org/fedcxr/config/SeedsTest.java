package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeedsTest {
  @Test
  void sameInputsSameValueOtherInputsOtherValue() {
    assertEquals(Seeds.derive(42, "split", "p1"), Seeds.derive(42, "split", "p1"));
    assertNotEquals(Seeds.derive(42, "split", "p1"), Seeds.derive(43, "split", "p1"));
    assertNotEquals(Seeds.derive(42, "split", "p1"), Seeds.derive(42, "split", "p2"));
    assertNotEquals(Seeds.derive(42, "ab", "c"), Seeds.derive(42, "a", "bc"));
  }

  @Test
  void uniformIsSpreadOverTheUnitInterval() {
    int[] bins = new int[10];
    for (int i = 0; i < 100_000; i++) {
      double u = Seeds.uniform(7, "x", Integer.toString(i));
      assertTrue(u >= 0 && u < 1);
      bins[(int) (u * 10)]++;
    }
    for (int b : bins) {
      assertEquals(10_000, b, 400);
    }
  }
}
