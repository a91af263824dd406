package org.fedcxr.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** One line of y against x as a PNG (e.g. the pretraining loss per epoch). */
public final class LineChart {
  private LineChart() {
  }

  public static void writePng(String title, String xLabel, String yLabel, double[] x, double[] y, OutputStream out)
      throws IOException {
    XYSeries s = new XYSeries(yLabel);
    for (int i = 0; i < x.length; i++) {
      s.add(x[i], y[i]);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, new XYSeriesCollection(s),
        PlotOrientation.VERTICAL, false, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getXYPlot().setBackgroundPaint(Color.WHITE);
    chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
    ChartUtils.writeChartAsPNG(out, chart, 800, 450);
  }
}
