package org.fedcxr.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The numbers a study reports, from its finished cells: group summaries over seeds (mean AUC, per-disease AUC, AUC
 * per round) and the paired SSL-vs-random comparisons behind the method's two claims. Pairs are cells that differ only
 * in their init (same seed, same partition).
 */
public final class StudyFindings {
  /** One of the method's claims, with the verdict on this data and the numbers behind it in words. */
  public record Claim(String statement, Comparison comparison, String evidence) {
  }

  private final StudyGrid grid;
  private final List<String> labels;
  private final List<CellResult> results;

  public StudyFindings(StudyGrid grid, List<String> labels, List<CellResult> results) {
    this.grid = grid;
    this.labels = List.copyOf(labels);
    this.results = List.copyOf(results);
  }

  public StudyGrid grid() {
    return grid;
  }

  public List<String> labels() {
    return labels;
  }

  public List<CellResult> results() {
    return results;
  }

  /** Final mean AUC over the seeds of one group. */
  public Summary meanAuc(String distribution, double fraction, String init) {
    return Summary.of(values(distribution, fraction, init, CellResult::finalMeanAuc));
  }

  /** Final AUC of one disease over the seeds of one group. */
  public Summary labelAuc(String label, String distribution, double fraction, String init) {
    return Summary.of(values(distribution, fraction, init, r -> r.perLabelAuc().getOrDefault(label, Double.NaN)));
  }

  /** Mean AUC per evaluated round over the seeds of one group. */
  public Map<Integer, Summary> rounds(String distribution, double fraction, String init) {
    Map<Integer, List<Double>> byRound = new TreeMap<>();
    for (CellResult r : group(distribution, fraction, init)) {
      r.roundMeanAuc().forEach((round, auc) -> byRound.computeIfAbsent(round, x -> new ArrayList<>()).add(auc));
    }
    Map<Integer, Summary> out = new LinkedHashMap<>();
    byRound.forEach((round, v) -> out.put(round, Summary.of(v)));
    return out;
  }

  /** SSL minus random final mean AUC, paired by seed. */
  public Comparison sslMinusRandom(String distribution, double fraction) {
    List<Double> d = new ArrayList<>();
    for (long seed : grid.seedValues()) {
      double ssl = cellValue(distribution, fraction, "ssl", seed);
      double random = cellValue(distribution, fraction, "random", seed);
      d.add(ssl - random);
    }
    return Comparison.paired(d);
  }

  /**
   * How much less mean AUC SSL init loses than random init when clients keep {@code fraction} of their data instead
   * of all of it: (random's loss − SSL's loss), paired by seed.
   */
  public Comparison lossAdvantage(double fraction) {
    List<Double> d = new ArrayList<>();
    for (long seed : grid.seedValues()) {
      d.add(lossAdvantage(seed, fraction));
    }
    return Comparison.paired(d);
  }

  /** The loss advantage averaged over every smaller fraction, paired by seed. */
  public Comparison meanLossAdvantage() {
    List<Double> d = new ArrayList<>();
    for (long seed : grid.seedValues()) {
      double sum = 0;
      for (double f : grid.fractions()) {
        sum += lossAdvantage(seed, f);
      }
      d.add(sum / grid.fractions().size());
    }
    return Comparison.paired(d);
  }

  /** Diseases (defined in both groups) on which SSL's mean AUC is above random's, non-IID with all the data. */
  public int diseasesSslAbove() {
    int above = 0;
    for (String label : labels) {
      if (labelAuc(label, "noniid", 1.0, "ssl").mean() > labelAuc(label, "noniid", 1.0, "random").mean()) {
        above++;
      }
    }
    return above;
  }

  /** Diseases whose AUC is defined (the test split has positives and negatives) in every non-IID full-data cell. */
  public int diseasesDefined() {
    int n = 0;
    for (String label : labels) {
      if (!Double.isNaN(labelAuc(label, "noniid", 1.0, "ssl").mean())
          && !Double.isNaN(labelAuc(label, "noniid", 1.0, "random").mean())) {
        n++;
      }
    }
    return n;
  }

  /** The method's two claims, judged on this study's cells. */
  public List<Claim> claims() {
    List<Claim> out = new ArrayList<>();
    Comparison first = sslMinusRandom("noniid", 1.0);
    out.add(new Claim("Under non-IID clients with all their data, federated training from the SSL encoder reaches a "
        + "higher mean AUC over the diseases than from random initialisation.", first, String.format(Locale.ROOT,
        "SSL %s vs random %s (mean ± sd over seeds); paired difference %s; SSL higher on %d of %d diseases.",
        pm(meanAuc("noniid", 1.0, "ssl")), pm(meanAuc("noniid", 1.0, "random")), ci(first), diseasesSslAbove(),
        diseasesDefined())));
    if (!grid.fractions().isEmpty()) {
      Comparison second = meanLossAdvantage();
      StringBuilder per = new StringBuilder();
      for (double f : grid.fractions()) {
        Comparison c = lossAdvantage(f);
        per.append(String.format(Locale.ROOT, "%s%s%%: %s", per.isEmpty() ? "" : "; ",
            StudyCell.fractionText(f * 100), ci(c)));
      }
      out.add(new Claim("As each client keeps less of its data, the SSL-initialised model loses much less mean AUC "
          + "than the randomly initialised one.", second, String.format(Locale.ROOT, "Random's loss minus SSL's loss"
          + " (from all data to the fraction), averaged over the fractions: %s. Per fraction: %s.", ci(second),
          per)));
    }
    return out;
  }

  /** The claims this grid cannot judge, and why (the report says so instead of leaving them out silently). */
  public List<String> notMeasured() {
    return grid.fractions().isEmpty() ? List.of("The low-data claim (SSL loses much less as clients keep less data)"
        + " was not measured: the spec's fractions is none.") : List.of();
  }

  /** {@code 0.6123 ± 0.0100}. */
  public static String pm(Summary s) {
    return Double.isNaN(s.sd()) ? String.format(Locale.ROOT, "%.4f", s.mean())
        : String.format(Locale.ROOT, "%.4f ± %.4f", s.mean(), s.sd());
  }

  /** {@code +0.0140, 95% CI [-0.0100, +0.0380], 3 seeds}. */
  public static String ci(Comparison c) {
    if (Double.isNaN(c.halfWidth95())) {
      return String.format(Locale.ROOT, "%+.4f (%d seed%s, no interval)", c.meanDifference(), c.pairs(),
          c.pairs() == 1 ? "" : "s");
    }
    return String.format(Locale.ROOT, "%+.4f, 95%% CI [%+.4f, %+.4f], %d seeds", c.meanDifference(),
        c.meanDifference() - c.halfWidth95(), c.meanDifference() + c.halfWidth95(), c.pairs());
  }

  private double lossAdvantage(long seed, double fraction) {
    double randomLoss = cellValue("noniid", 1.0, "random", seed) - cellValue("noniid", fraction, "random", seed);
    double sslLoss = cellValue("noniid", 1.0, "ssl", seed) - cellValue("noniid", fraction, "ssl", seed);
    return randomLoss - sslLoss;
  }

  private double cellValue(String distribution, double fraction, String init, long seed) {
    for (CellResult r : results) {
      if (r.cell().equals(new StudyCell(distribution, fraction, init, seed))) {
        return r.finalMeanAuc();
      }
    }
    return Double.NaN;
  }

  private List<CellResult> group(String distribution, double fraction, String init) {
    return results.stream().filter(r -> r.cell().distribution().equals(distribution)
        && r.cell().fraction() == fraction && r.cell().init().equals(init)).toList();
  }

  private List<Double> values(String distribution, double fraction, String init, ToDoubleFunction<CellResult> f) {
    return group(distribution, fraction, init).stream().map(r -> f.applyAsDouble(r)).toList();
  }
}
