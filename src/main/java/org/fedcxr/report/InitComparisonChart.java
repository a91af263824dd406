package org.fedcxr.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.fedcxr.fl.RoundReport;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Mean test AUC per round of federated runs side by side, one line per run (e.g. random vs SSL initialisation). */
public final class InitComparisonChart {
  private static final List<Color> COLORS = List.of(new Color(0x8c, 0x8c, 0x8c), new Color(0x1f, 0x77, 0xb4),
      new Color(0xd6, 0x27, 0x28), new Color(0x2c, 0xa0, 0x2c));

  private InitComparisonChart() {
  }

  /** {@code runs}: a legend name to its rounds, in the order to draw them. */
  public static void writePng(Map<String, List<RoundReport>> runs, String title, OutputStream out)
      throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    runs.forEach((name, rounds) -> {
      XYSeries s = new XYSeries(name);
      for (RoundReport r : rounds) {
        if (!Double.isNaN(r.meanAuc())) {
          s.add(r.round(), r.meanAuc());
        }
      }
      data.addSeries(s);
    });
    JFreeChart chart = ChartFactory.createXYLineChart(title, "round", "mean test AUC over the diseases", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < runs.size(); i++) {
      lines.setSeriesPaint(i, COLORS.get(i % COLORS.size()));
    }
    plot.setRenderer(lines);
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    y.setAutoRangeIncludesZero(false);
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    chart.setBackgroundPaint(Color.WHITE);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ChartUtils.writeChartAsPNG(out, chart, 900, 500);
  }
}
