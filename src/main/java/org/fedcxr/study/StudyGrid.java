package org.fedcxr.study;

import java.util.ArrayList;
import java.util.List;

/**
 * The cells of a study: for each seed, non-IID clients with all their data (random and SSL init), the same under IID
 * as a reference line (when asked), and non-IID clients keeping each smaller fraction of their data. Seeds are the
 * outer loop, so a study stopped half-way has whole seeds done rather than whole figures.
 *
 * @param baseSeed the study's seed; seed i of the grid is {@code baseSeed + i}
 * @param seeds how many seeds each cell is run with
 * @param fractions the shares of each client's data below 1, in the order given
 * @param iidReference whether to add the IID reference cells
 */
public record StudyGrid(long baseSeed, int seeds, List<Double> fractions, boolean iidReference) {
  /** The initial models every comparison is between. */
  public static final List<String> INITS = List.of("random", "ssl");

  public StudyGrid {
    if (seeds < 1) {
      throw new IllegalArgumentException("a study needs at least one seed, not " + seeds);
    }
    for (double f : fractions) {
      if (!(f > 0 && f < 1)) {
        throw new IllegalArgumentException("fractions must be in (0, 1), not " + f);
      }
    }
    if (fractions.stream().distinct().count() != fractions.size()) {
      throw new IllegalArgumentException("fractions repeat: " + fractions);
    }
    fractions = List.copyOf(fractions);
  }

  /** The seeds of the grid, in order. */
  public List<Long> seedValues() {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < seeds; i++) {
      out.add(baseSeed + i);
    }
    return out;
  }

  /** The data fractions of the low-data figure: 1 followed by the given fractions. */
  public List<Double> allFractions() {
    List<Double> out = new ArrayList<>(List.of(1.0));
    out.addAll(fractions);
    return out;
  }

  /** Every cell, seeds outermost. */
  public List<StudyCell> cells() {
    List<StudyCell> out = new ArrayList<>();
    for (long seed : seedValues()) {
      for (String init : INITS) {
        out.add(new StudyCell("noniid", 1.0, init, seed));
      }
      if (iidReference) {
        for (String init : INITS) {
          out.add(new StudyCell("iid", 1.0, init, seed));
        }
      }
      for (double f : fractions) {
        for (String init : INITS) {
          out.add(new StudyCell("noniid", f, init, seed));
        }
      }
    }
    return out;
  }
}
