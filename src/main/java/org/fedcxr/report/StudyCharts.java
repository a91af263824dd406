package org.fedcxr.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.fedcxr.study.StudyCell;
import org.fedcxr.study.StudyFindings;
import org.fedcxr.study.StudyGrid;
import org.fedcxr.study.Summary;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** The study's charts as PNG bytes: per-disease bars, mean AUC against the data fraction, mean AUC per round. */
public final class StudyCharts {
  private static final Color RANDOM = new Color(0x8c, 0x8c, 0x8c);
  private static final Color SSL = new Color(0x1f, 0x77, 0xb4);

  private StudyCharts() {
  }

  /** Grouped bars of per-disease AUC (mean over seeds, sd as error bar), random vs SSL, non-IID with all data. */
  public static byte[] perDisease(StudyFindings f) {
    DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
    for (String init : StudyGrid.INITS) {
      for (String label : f.labels()) {
        Summary s = f.labelAuc(label, "noniid", 1.0, init);
        data.add(s.mean(), zeroIfNaN(s.sd()), init, label);
      }
      Summary m = f.meanAuc("noniid", 1.0, init);
      data.add(m.mean(), zeroIfNaN(m.sd()), init, "Mean");
    }
    CategoryAxis x = new CategoryAxis("disease");
    x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    NumberAxis y = new NumberAxis("test AUC (mean ± sd over seeds)");
    y.setRange(0.0, 1.0);
    StatisticalBarRenderer bars = new StatisticalBarRenderer();
    bars.setSeriesPaint(0, RANDOM);
    bars.setSeriesPaint(1, SSL);
    bars.setErrorIndicatorPaint(Color.BLACK);
    bars.setDrawBarOutline(false);
    bars.setShadowVisible(false);
    bars.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
    CategoryPlot plot = new CategoryPlot(data, x, y, bars);
    return png(new JFreeChart("Per-disease AUC, non-IID clients, all data: random vs SSL init",
        JFreeChart.DEFAULT_TITLE_FONT, style(plot), true), 1000, 550);
  }

  /** Mean AUC against the share of data each client keeps (log scale), one line per init, sd as error bars. */
  public static byte[] fractions(StudyFindings f) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (String init : StudyGrid.INITS) {
      YIntervalSeries s = new YIntervalSeries(init);
      for (double fraction : f.grid().allFractions()) {
        Summary m = f.meanAuc("noniid", fraction, init);
        if (m.n() > 0) {
          double sd = zeroIfNaN(m.sd());
          s.add(fraction * 100, m.mean(), m.mean() - sd, m.mean() + sd);
        }
      }
      data.addSeries(s);
    }
    LogarithmicAxis x = new LogarithmicAxis("share of each client's data kept (%, log scale)");
    x.setStrictValuesFlag(false);
    x.setExpTickLabelsFlag(false);
    x.setLog10TickLabelsFlag(false);
    x.setRange(0.5, 150);
    NumberAxis y = new NumberAxis("mean test AUC over the diseases (mean ± sd over seeds)");
    y.setAutoRangeIncludesZero(false);
    return png(new JFreeChart("Mean AUC vs data fraction (non-IID clients)", JFreeChart.DEFAULT_TITLE_FONT,
        style(new XYPlot(data, x, y, lines())), true), 900, 500);
  }

  /** Mean AUC per round for each init (non-IID, all data; IID dashed when the study has it). */
  public static byte[] rounds(StudyFindings f) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    List<String> distributions = f.grid().iidReference() ? List.of("noniid", "iid") : List.of("noniid");
    for (String d : distributions) {
      for (String init : StudyGrid.INITS) {
        YIntervalSeries s = new YIntervalSeries(init + (d.equals("iid") ? " (IID reference)" : " (non-IID)"));
        for (Map.Entry<Integer, Summary> e : f.rounds(d, 1.0, init).entrySet()) {
          double sd = zeroIfNaN(e.getValue().sd());
          s.add(e.getKey(), e.getValue().mean(), e.getValue().mean() - sd, e.getValue().mean() + sd);
        }
        data.addSeries(s);
      }
    }
    XYErrorRenderer r = lines();
    for (int i = 2; i < data.getSeriesCount(); i++) {
      r.setSeriesStroke(i, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
          new float[] {6f, 4f}, 0f));
    }
    NumberAxis x = new NumberAxis("round");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis("mean test AUC (mean ± sd over seeds)");
    y.setAutoRangeIncludesZero(false);
    return png(new JFreeChart("Mean AUC per round, all data", JFreeChart.DEFAULT_TITLE_FONT,
        style(new XYPlot(data, x, y, r)), true), 900, 500);
  }

  private static XYErrorRenderer lines() {
    XYErrorRenderer r = new XYErrorRenderer();
    r.setDefaultLinesVisible(true);
    r.setDefaultShapesVisible(true);
    r.setDrawXError(false);
    for (int i = 0; i < 4; i++) {
      r.setSeriesPaint(i, i % 2 == 0 ? RANDOM : SSL);
      r.setSeriesStroke(i, new BasicStroke(1.5f));
    }
    return r;
  }

  private static <P extends org.jfree.chart.plot.Plot> P style(P plot) {
    plot.setBackgroundPaint(Color.WHITE);
    if (plot instanceof XYPlot xy) {
      xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
      xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
    } else if (plot instanceof CategoryPlot c) {
      c.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }
    return plot;
  }

  private static double zeroIfNaN(double v) {
    return Double.isNaN(v) ? 0 : v;
  }

  private static byte[] png(JFreeChart chart, int width, int height) {
    chart.setBackgroundPaint(Color.WHITE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, width, height);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String fractionPercent(double fraction) {
    return StudyCell.fractionText(fraction * 100);
  }
}
