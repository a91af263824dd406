package org.fedcxr.fl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.fedcxr.model.Architecture;
import org.junit.jupiter.api.Test;

class LabelPriorTest {
  @Test
  void logOddsAreSmoothedByHalfAnImageEitherWay() {
    assertEquals(Math.log(1.5 / 8.5), LabelPrior.logOdds(1, 9), 1e-6);   // -1.7346
    assertEquals(Math.log(0.5 / 9.5), LabelPrior.logOdds(0, 9), 1e-6);   // -2.9444: finite with no positive
    assertEquals(0.0, LabelPrior.logOdds(5, 10), 1e-6);
    assertEquals(-LabelPrior.logOdds(2, 10), LabelPrior.logOdds(8, 10), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> LabelPrior.logOdds(4, 3));
  }

  @Test
  void withHeadBiasChangesTheHeadBiasAndNothingElse() {
    try (GlobalModel g = new GlobalModel(Architecture.SMALL, 3, 7)) {
      float[] before = g.current();
      float[] bias = {-1f, -2f, -3f};
      float[] after = g.withHeadBias(before, bias);
      assertArrayEquals(g.current(), before, "the input is not changed");
      int changed = 0;
      for (int i = 0; i < before.length; i++) {
        if (after[i] != before[i]) {
          assertEquals(bias[changed], after[i]);
          changed++;
        }
      }
      assertEquals(3, changed);
      assertThrows(IllegalArgumentException.class, () -> g.withHeadBias(before, new float[] {1f, 2f}));
    }
  }
}
