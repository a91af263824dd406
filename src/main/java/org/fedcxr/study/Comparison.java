package org.fedcxr.study;

import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * A paired comparison over seeds: the mean of per-seed differences and the half-width of its 95% confidence interval
 * (Student's t with n−1 degrees of freedom; NaN with fewer than two pairs).
 */
public record Comparison(double meanDifference, double halfWidth95, int pairs) {
  /** What the interval says about "the difference is positive". */
  public enum Verdict {
    HELD("held"), OPPOSITE("did not hold: the opposite was measured"), NOT_SHOWN("not shown: within the seeds' noise"),
    UNDECIDED("undecided: fewer than two seeds");

    private final String words;

    Verdict(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }
  }

  public static Comparison paired(List<Double> differences) {
    Summary s = Summary.of(differences);
    if (s.n() < 2) {
      return new Comparison(s.mean(), Double.NaN, s.n());
    }
    double t = new TDistribution(s.n() - 1).inverseCumulativeProbability(0.975);
    return new Comparison(s.mean(), t * s.sd() / Math.sqrt(s.n()), s.n());
  }

  public Verdict verdict() {
    if (pairs < 2 || Double.isNaN(halfWidth95)) {
      return Verdict.UNDECIDED;
    }
    if (meanDifference - halfWidth95 > 0) {
      return Verdict.HELD;
    }
    if (meanDifference + halfWidth95 < 0) {
      return Verdict.OPPOSITE;
    }
    return Verdict.NOT_SHOWN;
  }
}
