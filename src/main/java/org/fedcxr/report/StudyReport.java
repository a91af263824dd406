package org.fedcxr.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.fedcxr.study.CellResult;
import org.fedcxr.study.Comparison;
import org.fedcxr.study.StudyCell;
import org.fedcxr.study.StudyFindings;
import org.fedcxr.study.StudyGrid;
import org.fedcxr.study.Summary;

/**
 * The study's report: CSV tables of every number behind the charts, the charts (PNG), {@code report.md} and a
 * self-contained {@code report.html} (charts inlined). Every number in the Markdown and HTML is the same text as in a
 * CSV; the claims are judged by {@link StudyFindings}.
 */
public final class StudyReport {
  /** What the report states about the run besides its numbers. */
  public record Context(String command, String commit, String data, Map<String, Object> spec, double seconds,
      double pretrainSeconds, String finished, byte[] clientsChart) {
  }

  private final StudyFindings f;
  private final Context context;

  public StudyReport(StudyFindings findings, Context context) {
    this.f = findings;
    this.context = context;
  }

  /** Every file of the report, by path relative to the report's directory. */
  public Map<String, byte[]> files() {
    Map<String, Table> tables = tables();
    Map<String, byte[]> charts = new LinkedHashMap<>();
    charts.put("charts/per_disease.png", StudyCharts.perDisease(f));
    charts.put("charts/fractions.png", StudyCharts.fractions(f));
    charts.put("charts/rounds.png", StudyCharts.rounds(f));
    if (context.clientsChart() != null) {
      charts.put("charts/clients.png", context.clientsChart());
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    tables.forEach((name, t) -> out.put(name, t.csv().getBytes(StandardCharsets.UTF_8)));
    out.putAll(charts);
    out.put("report.md", markdown(tables, charts).getBytes(StandardCharsets.UTF_8));
    out.put("report.html", html(tables, charts).getBytes(StandardCharsets.UTF_8));
    return out;
  }

  /** The CSV tables by file name. */
  public Map<String, Table> tables() {
    Map<String, Table> t = new LinkedHashMap<>();
    t.put("claims.csv", claims());
    t.put("per_disease.csv", perDisease());
    t.put("fractions.csv", fractions());
    t.put("rounds.csv", rounds());
    t.put("cells.csv", cells());
    return t;
  }

  private Table claims() {
    Table t = new Table(List.of("claim", "verdict", "mean_difference", "ci95_low", "ci95_high", "seeds"));
    int i = 1;
    for (StudyFindings.Claim c : f.claims()) {
      Comparison x = c.comparison();
      t.add(List.of(Integer.toString(i++), c.comparison().verdict().words(), num(x.meanDifference()),
          num(x.meanDifference() - x.halfWidth95()), num(x.meanDifference() + x.halfWidth95()),
          Integer.toString(x.pairs())));
    }
    return t;
  }

  private Table perDisease() {
    List<String> header = new ArrayList<>(List.of("disease", "random_mean", "random_sd", "ssl_mean", "ssl_sd",
        "ssl_minus_random"));
    if (f.grid().iidReference()) {
      header.addAll(List.of("iid_random_mean", "iid_random_sd", "iid_ssl_mean", "iid_ssl_sd"));
    }
    Table t = new Table(header);
    List<String> rows = new ArrayList<>(f.labels());
    rows.add("Mean");
    for (String label : rows) {
      List<String> row = new ArrayList<>(List.of(label));
      Summary r = summary(label, "noniid", "random");
      Summary s = summary(label, "noniid", "ssl");
      row.addAll(List.of(num(r.mean()), num(r.sd()), num(s.mean()), num(s.sd()), num(s.mean() - r.mean())));
      if (f.grid().iidReference()) {
        Summary ir = summary(label, "iid", "random");
        Summary is = summary(label, "iid", "ssl");
        row.addAll(List.of(num(ir.mean()), num(ir.sd()), num(is.mean()), num(is.sd())));
      }
      t.add(row);
    }
    return t;
  }

  private Summary summary(String label, String distribution, String init) {
    return label.equals("Mean") ? f.meanAuc(distribution, 1.0, init) : f.labelAuc(label, distribution, 1.0, init);
  }

  private Table fractions() {
    Table t = new Table(List.of("percent_kept", "random_mean", "random_sd", "ssl_mean", "ssl_sd", "seeds",
        "ssl_minus_random", "ssl_minus_random_ci95_low", "ssl_minus_random_ci95_high", "random_loss_minus_ssl_loss",
        "ci95_low", "ci95_high"));
    for (double fraction : f.grid().allFractions()) {
      Summary r = f.meanAuc("noniid", fraction, "random");
      Summary s = f.meanAuc("noniid", fraction, "ssl");
      Comparison d = f.sslMinusRandom("noniid", fraction);
      Comparison adv = fraction == 1.0 ? null : f.lossAdvantage(fraction);
      t.add(List.of(StudyCharts.fractionPercent(fraction), num(r.mean()), num(r.sd()), num(s.mean()), num(s.sd()),
          Integer.toString(Math.min(r.n(), s.n())), num(d.meanDifference()),
          num(d.meanDifference() - d.halfWidth95()), num(d.meanDifference() + d.halfWidth95()),
          adv == null ? "" : num(adv.meanDifference()),
          adv == null ? "" : num(adv.meanDifference() - adv.halfWidth95()),
          adv == null ? "" : num(adv.meanDifference() + adv.halfWidth95())));
    }
    return t;
  }

  private Table rounds() {
    Table t = new Table(List.of("distribution", "round", "random_mean", "random_sd", "ssl_mean", "ssl_sd"));
    List<String> distributions = f.grid().iidReference() ? List.of("noniid", "iid") : List.of("noniid");
    for (String d : distributions) {
      Map<Integer, Summary> r = f.rounds(d, 1.0, "random");
      Map<Integer, Summary> s = f.rounds(d, 1.0, "ssl");
      TreeSet<Integer> all = new TreeSet<>(r.keySet());
      all.addAll(s.keySet());
      Summary none = new Summary(Double.NaN, Double.NaN, 0);
      for (int round : all) {
        Summary a = r.getOrDefault(round, none);
        Summary b = s.getOrDefault(round, none);
        t.add(List.of(d, Integer.toString(round), num(a.mean()), num(a.sd()), num(b.mean()), num(b.sd())));
      }
    }
    return t;
  }

  private Table cells() {
    List<String> header = new ArrayList<>(List.of("cell", "distribution", "percent_kept", "init", "seed",
        "final_mean_auc", "seconds"));
    header.addAll(f.labels());
    Table t = new Table(header);
    for (CellResult r : f.results()) {
      StudyCell c = r.cell();
      List<String> row = new ArrayList<>(List.of(c.id(), c.distribution(), StudyCharts.fractionPercent(c.fraction()),
          c.init(), Long.toString(c.seed()), num(r.finalMeanAuc()), String.format(Locale.ROOT, "%.1f", r.seconds())));
      for (String label : f.labels()) {
        row.add(num(r.perLabelAuc().getOrDefault(label, Double.NaN)));
      }
      t.add(row);
    }
    return t;
  }

  private String markdown(Map<String, Table> tables, Map<String, byte[]> charts) {
    StringBuilder md = new StringBuilder("# fedcxr study: SSL vs random initialisation in federated learning\n\n");
    for (String line : header()) {
      md.append(line).append("  \n");
    }
    md.append("\nCommand:\n\n```bash\n").append(context.command()).append("\n```\n\n## The method's claims on this "
        + "data\n\n");
    int i = 1;
    for (StudyFindings.Claim c : f.claims()) {
      md.append(i++).append(". ").append(c.statement()).append(" **").append(capitalise(c.comparison().verdict()
          .words())).append(".** ").append(c.evidence()).append("\n");
    }
    for (String missing : f.notMeasured()) {
      md.append(i++).append(". ").append(missing).append("\n");
    }
    md.append("\n").append(noise()).append("\n\n");
    for (Section s : sections()) {
      md.append("## ").append(s.title()).append("\n\n").append(s.text()).append("\n\n");
      if (s.chart() != null && charts.containsKey(s.chart())) {
        md.append("![").append(s.title()).append("](").append(s.chart()).append(")\n\n");
      }
      if (s.table() != null) {
        md.append("`").append(s.table()).append("`:\n\n").append(tables.get(s.table()).markdown()).append("\n");
      }
    }
    md.append("## Spec\n\n```\n");
    context.spec().forEach((k, v) -> md.append(k).append(": ").append(v).append('\n'));
    return md.append("```\n").toString();
  }

  private String html(Map<String, Table> tables, Map<String, byte[]> charts) {
    StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>fedcxr study"
        + "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;}table{border-collapse:"
        + "collapse;font-size:90%;}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;}"
        + "img{max-width:100%;}pre{background:#f4f4f4;padding:8px;}</style></head><body>\n"
        + "<h1>fedcxr study: SSL vs random initialisation in federated learning</h1>\n<p>");
    for (String line : header()) {
      h.append(Table.Html.escape(line)).append("<br>\n");
    }
    h.append("</p>\n<p>Command:</p><pre>").append(Table.Html.escape(context.command())).append("</pre>\n"
        + "<h2>The method's claims on this data</h2>\n<ol>\n");
    for (StudyFindings.Claim c : f.claims()) {
      h.append("<li>").append(Table.Html.escape(c.statement())).append(" <b>")
          .append(Table.Html.escape(capitalise(c.comparison().verdict().words()))).append(".</b> ")
          .append(Table.Html.escape(c.evidence())).append("</li>\n");
    }
    for (String missing : f.notMeasured()) {
      h.append("<li>").append(Table.Html.escape(missing)).append("</li>\n");
    }
    h.append("</ol>\n<p>").append(Table.Html.escape(noise())).append("</p>\n");
    for (Section s : sections()) {
      h.append("<h2>").append(Table.Html.escape(s.title())).append("</h2>\n<p>").append(Table.Html.escape(s.text()))
          .append("</p>\n");
      if (s.chart() != null && charts.containsKey(s.chart())) {
        h.append("<img alt=\"").append(Table.Html.escape(s.title())).append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(charts.get(s.chart()))).append("\">\n");
      }
      if (s.table() != null) {
        h.append("<p><code>").append(s.table()).append("</code>:</p>\n").append(tables.get(s.table()).html());
      }
    }
    h.append("<h2>Spec</h2>\n<pre>");
    context.spec().forEach((k, v) -> h.append(Table.Html.escape(k + ": " + v)).append('\n'));
    return h.append("</pre>\n</body></html>\n").toString();
  }

  private record Section(String title, String text, String chart, String table) {
  }

  private List<Section> sections() {
    List<Section> s = new ArrayList<>();
    s.add(new Section("Non-IID clients, all data: per-disease AUC", "Test AUC per disease after the last round, mean"
        + " and sample standard deviation over the seeds; 'Mean' is the mean over the diseases"
        + (f.grid().iidReference() ? "; the IID columns are the reference with the same clients' data shuffled "
        + "evenly." : "."), "charts/per_disease.png", "per_disease.csv"));
    if (!f.grid().fractions().isEmpty()) {
      s.add(new Section("Low data: mean AUC against the share of data each client keeps", "Nested subsets: for one "
          + "seed, each smaller share is a subset of the larger one. ssl_minus_random is SSL's mean AUC minus random's "
          + "at that share, paired by seed, with its 95% interval; random_loss_minus_ssl_loss is how much less "
          + "mean AUC SSL lost than random going from all data to that share (positive: SSL lost less), paired by "
          + "seed, with its 95% interval (ci95_low, ci95_high).", "charts/fractions.png", "fractions.csv"));
    }
    s.add(new Section("Mean AUC per round", "Test mean AUC after each evaluated round, all data.",
        "charts/rounds.png", "rounds.csv"));
    s.add(new Section("The clients", "Images per client and their class mix for the first seed's non-IID partition "
        + "with all data.", "charts/clients.png", null));
    s.add(new Section("Every cell", "One federated run per row; seconds are the run's round times.", null,
        "cells.csv"));
    return s;
  }

  private List<String> header() {
    return List.of("Data: " + context.data(), "Commit: " + context.commit(), "Finished: " + context.finished(),
        String.format(Locale.ROOT, "Run time: %.1f min (this invocation; a resumed study counts only its last part)",
            context.seconds() / 60), String.format(Locale.ROOT, "Time recorded in the outputs, whatever the "
            + "invocations: pretraining %.1f min, cells %.1f min (the sum of their rounds)",
            context.pretrainSeconds() / 60, f.results().stream().mapToDouble(CellResult::seconds).sum() / 60),
        "Cells: " + f.results().size() + " of " + f.grid().cells().size()
            + " (" + f.grid().seeds() + " seeds)");
  }

  private String noise() {
    return "Noise: every cell ran with " + f.grid().seeds() + " seeds (the partition and the training differ by "
        + "seed; the test split and the SSL encoder do not). A claim 'held' when the 95% confidence interval of the "
        + "paired per-seed difference (Student's t) lies above zero, 'did not hold' when it lies below, and 'not "
        + "shown' when it contains zero.";
  }

  private static String capitalise(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
  }
}
