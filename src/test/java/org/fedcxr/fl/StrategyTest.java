package org.fedcxr.fl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fedcxr.train.TrainConfig;
import org.fedcxr.train.WeightedMean;
import org.junit.jupiter.api.Test;

class StrategyTest {
  @Test
  void weightedMeanIsByShareOfSamples() {
    WeightedMean m = new WeightedMean(2);
    m.add(new float[] {1, 10}, 1);
    m.add(new float[] {4, 40}, 3);
    assertArrayEquals(new float[] {3.25f, 32.5f}, m.mean());
    assertEquals(4, m.samples());
  }

  @Test
  void everyRegisteredStrategyIsMadeByItsNameAndAnUnknownNameIsAClearError() {
    Strategy.Options options = new Strategy.Options(0.1f, 0.01f, new boolean[1]);
    for (String name : Strategy.NAMES) {
      assertEquals(name, Strategy.named(name, options).name());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Strategy.named("fedsgd", options));
    assertTrue(e.getMessage().contains("fedsgd") && e.getMessage().contains("fedavg"), e.getMessage());
  }

  @Test
  void onlyFedProxChangesTheClientsTrainingAndOnlyFedBnKeepsBatchNormLocal() {
    TrainConfig base = TrainConfig.builder().setBatchSize(4).setEpochs(1).build();
    Strategy.Options options = new Strategy.Options(0.1f, 0.25f, new boolean[1]);
    for (String name : Strategy.NAMES) {
      Strategy s = Strategy.named(name, options);
      if (name.equals("fedprox")) {
        assertEquals(0.25f, s.clientTraining(base).proxMu());
        assertEquals(base.withProxMu(0.25f), s.clientTraining(base));
      } else {
        assertSame(base, s.clientTraining(base), name);
      }
      assertEquals(name.equals("fedbn"), s.keepsBatchNormLocal(), name);
    }
    assertEquals(0f, base.proxMu());
    assertThrows(IllegalArgumentException.class, () -> Strategy.named("fedprox", new Strategy.Options(0f, -1f,
        new boolean[1])));
  }

  @Test
  void fedAvgTakesTheMean() {
    float[] mean = {1, 2};
    Strategy fedavg = Strategy.named("fedavg", new Strategy.Options(0.1f, 0f, new boolean[2]));
    assertArrayEquals(mean, fedavg.merge(new float[] {0, 0}, mean));
  }

  @Test
  void fedAdamStepsAlongTheMeanDeltaAndCopiesRunningStatistics() {
    Strategy s = Strategy.named("fedadam", new Strategy.Options(0.1f, 0f, new boolean[] {false, true}));
    float[] next = s.merge(new float[] {1, 5}, new float[] {2, 7});
    // m = 0.1·1 = 0.1, v = 0.99·1e-6 + 0.01·1 = 0.01000099, step = 0.1·0.1 / (0.1000049 + 0.001)
    assertEquals(1 + 0.1 * 0.1 / (Math.sqrt(0.01000099) + 0.001), next[0], 1e-5);
    assertEquals(7f, next[1]);
    assertEquals(2, s.state().size());
    Strategy restored = Strategy.named("fedadam", new Strategy.Options(0.1f, 0f, new boolean[] {false, true}));
    restored.restore(s.state());
    assertArrayEquals(s.merge(next, new float[] {3, 7}), restored.merge(next, new float[] {3, 7}));
  }

  @Test
  void fedYogiMatchesHandComputedSteps() {
    Strategy yogi = Strategy.named("fedyogi", new Strategy.Options(0.1f, 0f, new boolean[1]));
    // round 1: Δ = 1, m = 0.1, v = 1e-6 + 0.01·1 (v < Δ², so Yogi raises v) = 0.010001,
    // w = 0.1·0.1 / (√0.010001 + 0.001)
    float[] w1 = yogi.merge(new float[] {0}, new float[] {1});
    assertEquals(0.1 * 0.1 / (Math.sqrt(0.010001) + 0.001), w1[0], 1e-6);
    assertEquals(0.099005, w1[0], 1e-6);
    // round 2: Δ = 0.01, m = 0.9·0.1 + 0.1·0.01 = 0.091, v = 0.010001 − 0.01·1e-4 (v > Δ², so v falls) = 0.01,
    // w = w1 + 0.1·0.091 / (0.1 + 0.001)
    float[] w2 = yogi.merge(w1, new float[] {w1[0] + 0.01f});
    assertEquals(w1[0] + 0.1 * 0.091 / (0.1 + 0.001), w2[0], 1e-6);
    assertEquals(0.091f, yogi.state().get("server_m")[0], 1e-7);
    assertEquals(0.01f, yogi.state().get("server_v")[0], 1e-8);
  }

  @Test
  void fedYogiMatchesFedAdamFirstThenDecaysItsSecondMomentDifferently() {
    Strategy adam = Strategy.named("fedadam", new Strategy.Options(0.1f, 0f, new boolean[1]));
    Strategy yogi = Strategy.named("fedyogi", new Strategy.Options(0.1f, 0f, new boolean[1]));
    float[] a = adam.merge(new float[] {0}, new float[] {1});
    float[] y = yogi.merge(new float[] {0}, new float[] {1});
    assertEquals(a[0], y[0], 1e-4);
    a = adam.merge(a, new float[] {a[0] + 0.01f});
    y = yogi.merge(y, new float[] {y[0] + 0.01f});
    assertEquals(true, Math.abs(a[0] - y[0]) > 1e-4, a[0] + " vs " + y[0]);
  }

  @Test
  void samplingIsSeededPerRoundAndTakesTheFraction() {
    boolean[] a = FederatedRun.sample(1, 3, 10, 0.3);
    assertArrayEquals(a, FederatedRun.sample(1, 3, 10, 0.3));
    int n = 0;
    for (boolean b : a) {
      n += b ? 1 : 0;
    }
    assertEquals(3, n);
    assertEquals(1, count(FederatedRun.sample(1, 3, 10, 0.01)));
    assertEquals(10, count(FederatedRun.sample(1, 3, 10, 1.0)));
  }

  private static int count(boolean[] b) {
    int n = 0;
    for (boolean x : b) {
      n += x ? 1 : 0;
    }
    return n;
  }
}
