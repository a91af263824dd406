package org.fedcxr.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.fedcxr.study.CellResult;
import org.fedcxr.study.Comparison;
import org.fedcxr.study.StudyCell;
import org.fedcxr.study.StudyFindings;
import org.fedcxr.study.StudyGrid;
import org.junit.jupiter.api.Test;

class StudyReportTest {
  static final List<String> LABELS = List.of("Atelectasis", "Cardiomegaly", "Effusion");

  /** A synthetic study: SSL is {@code sslGain} above random at all data and loses {@code sslLossShare} as much. */
  static StudyFindings synthetic(double sslGain, double sslLossShare, long seed) {
    return synthetic(sslGain, sslLossShare, seed, List.of(0.5, 0.1));
  }

  static StudyFindings synthetic(double sslGain, double sslLossShare, long seed, List<Double> fractions) {
    StudyGrid grid = new StudyGrid(1, 3, fractions, true);
    SplittableRandom rnd = new SplittableRandom(seed);
    List<CellResult> results = new ArrayList<>();
    for (StudyCell c : grid.cells()) {
      double drop = (1 - c.fraction()) * 0.1 * (c.init().equals("ssl") ? sslLossShare : 1);
      double base = 0.6 + (c.init().equals("ssl") ? sslGain : 0) - drop + (c.distribution().equals("iid") ? 0.02 : 0)
          + 0.002 * rnd.nextGaussian() + 0.01 * c.seed();
      Map<String, Double> perLabel = new LinkedHashMap<>();
      for (int i = 0; i < LABELS.size(); i++) {
        perLabel.put(LABELS.get(i), i == 2 && c.seed() == 2 ? Double.NaN : base + 0.01 * (i - 1));
      }
      Map<Integer, Double> rounds = new LinkedHashMap<>(Map.of(1, base - 0.05));
      rounds.put(2, base);
      results.add(new CellResult(c, perLabel, rounds, 10 + c.seed()));
    }
    return new StudyFindings(grid, LABELS, results);
  }

  static StudyReport report(StudyFindings f) {
    return new StudyReport(f, new StudyReport.Context("bin/fedcxr study --quick", "abc123", "synthetic", Map.of(
        "seed", 1), 61.0, 30.0, "2026-11-26T10:00:00Z", null));
  }

  @Test
  void claimsFollowTheNumbers() {
    List<StudyFindings.Claim> good = synthetic(0.05, 0.2, 1).claims();
    assertEquals(Comparison.Verdict.HELD, good.get(0).comparison().verdict());
    assertEquals(Comparison.Verdict.HELD, good.get(1).comparison().verdict());
    // random's loss from all data to 10%: 0.09; SSL's: 0.018; to 50%: 0.05 vs 0.01; mean advantage 0.056
    assertEquals(0.056, good.get(1).comparison().meanDifference(), 0.005);
    List<StudyFindings.Claim> bad = synthetic(-0.05, 1.5, 2).claims();
    assertEquals(Comparison.Verdict.OPPOSITE, bad.get(0).comparison().verdict());
    assertEquals(Comparison.Verdict.OPPOSITE, bad.get(1).comparison().verdict());
    List<StudyFindings.Claim> none = synthetic(0.0, 1.0, 3).claims();
    assertTrue(none.get(0).evidence().contains("SSL higher on"), none.get(0).evidence());
  }

  @Test
  void aClaimTheGridCannotJudgeIsSaidToBeNotMeasured() {
    StudyFindings f = synthetic(0.05, 0.2, 1, List.of());
    assertEquals(1, f.claims().size());
    Map<String, byte[]> files = report(f).files();
    for (String page : List.of("report.md", "report.html")) {
      assertTrue(text(files, page).contains("low-data claim (SSL loses much less as clients keep less data) was not "
          + "measured: the spec's fractions is none"), page);
    }
    assertTrue(synthetic(0.05, 0.2, 1).notMeasured().isEmpty());
  }

  @Test
  void writesEveryChartAndTableAndAReportThatLinksThem() {
    Map<String, byte[]> files = report(synthetic(0.05, 0.2, 1)).files();
    assertEquals(List.of("claims.csv", "per_disease.csv", "fractions.csv", "rounds.csv", "cells.csv",
        "charts/per_disease.png", "charts/fractions.png", "charts/rounds.png", "report.md", "report.html"),
        new ArrayList<>(files.keySet()));
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    for (String chart : List.of("charts/per_disease.png", "charts/fractions.png", "charts/rounds.png")) {
      assertArrayEquals(png, Arrays.copyOf(files.get(chart), 4), chart);
      assertTrue(files.get(chart).length > 5_000, chart + " has content");
    }
    String md = text(files, "report.md");
    for (String chart : List.of("charts/per_disease.png", "charts/fractions.png", "charts/rounds.png")) {
      assertTrue(md.contains("](" + chart + ")"), chart);
    }
    assertTrue(md.contains("bin/fedcxr study --quick") && md.contains("abc123") && md.contains("**Held.**"), md);
    String html = text(files, "report.html");
    assertEquals(3, html.split("src=\"data:image/png;base64,", -1).length - 1, "charts inlined in the HTML");
    assertEquals(3 * 8, text(files, "cells.csv").lines().count() - 1);
  }

  @Test
  void everyShareOfDataGetsThePairedIntervalOfSslMinusRandom() {
    StudyFindings f = synthetic(0.05, 0.2, 1);
    List<String> rows = text(report(f).files(), "fractions.csv").lines().toList();
    List<String> header = Arrays.asList(rows.get(0).split(","));
    assertEquals(3, rows.size() - 1, "all data, 50% and 10%");
    for (String row : rows.subList(1, rows.size())) {
      String[] v = row.split(",", -1);
      double fraction = Double.parseDouble(v[0]) / 100;
      Comparison c = f.sslMinusRandom("noniid", fraction);
      assertEquals(StudyReport.num(c.meanDifference()), v[header.indexOf("ssl_minus_random")], row);
      assertEquals(StudyReport.num(c.meanDifference() - c.halfWidth95()),
          v[header.indexOf("ssl_minus_random_ci95_low")], row);
      assertEquals(StudyReport.num(c.meanDifference() + c.halfWidth95()),
          v[header.indexOf("ssl_minus_random_ci95_high")], row);
      assertTrue(c.halfWidth95() > 0, "three seeds give an interval");
    }
  }

  @Test
  void theNumbersInTheReportAreTheNumbersInTheCsvs() {
    Map<String, byte[]> files = report(synthetic(0.01, 0.8, 4)).files();
    String md = text(files, "report.md");
    String html = text(files, "report.html");
    for (String name : List.of("per_disease.csv", "fractions.csv", "rounds.csv", "cells.csv")) {
      List<String> csv = text(files, name).lines().toList();
      List<String> table = markdownTable(md, name);
      assertEquals(csv.size(), table.size(), name + " rows");
      for (int i = 0; i < csv.size(); i++) {
        assertEquals(Arrays.asList(csv.get(i).split(",", -1)), Arrays.asList(table.get(i).split(" \\| ", -1)),
            name + " row " + i);
        assertTrue(html.contains("<td>" + csv.get(i).split(",", -1)[1] + "</td>") || i == 0, name + " in HTML");
      }
    }
    // and the CSVs hold the findings' numbers
    StudyFindings f = synthetic(0.01, 0.8, 4);
    String mean = text(files, "per_disease.csv").lines().filter(l -> l.startsWith("Mean,")).findFirst().orElseThrow();
    assertEquals(f.meanAuc("noniid", 1.0, "ssl").mean(), Double.parseDouble(mean.split(",")[3]), 5e-5);
    String claim = text(files, "claims.csv").lines().skip(1).findFirst().orElseThrow();
    assertEquals(f.claims().get(0).comparison().meanDifference(), Double.parseDouble(claim.split(",")[2]), 5e-5);
    assertTrue(md.toLowerCase(Locale.ROOT).contains("**" + claim.split(",")[1] + ".**"),
        "the claim's verdict is in the report");
  }

  /** The rows of the Markdown table introduced by "`name`:", header included, cells joined by " | ". */
  static List<String> markdownTable(String md, String name) {
    List<String> lines = md.lines().toList();
    int start = lines.indexOf("`" + name + "`:") + 2;
    List<String> out = new ArrayList<>();
    for (int i = start; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      if (!lines.get(i).startsWith("| ---")) {
        String l = lines.get(i);
        out.add(l.substring(2, l.length() - 2));
      }
    }
    return out;
  }

  static String text(Map<String, byte[]> files, String name) {
    return new String(files.get(name), StandardCharsets.UTF_8);
  }
}
