package org.fedcxr.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
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

/** Mean client training loss (left axis) and mean test AUC (right axis, evaluated rounds only) per round. */
public final class RoundChart {
  private RoundChart() {
  }

  public static void writePng(List<RoundReport> rounds, String title, OutputStream out) throws IOException {
    XYSeries loss = new XYSeries("mean client loss");
    XYSeries auc = new XYSeries("mean test AUC");
    for (RoundReport r : rounds) {
      loss.add(r.round(), r.meanLoss());
      if (!Double.isNaN(r.meanAuc())) {
        auc.add(r.round(), r.meanAuc());
      }
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "round", "loss", new XYSeriesCollection(loss),
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    NumberAxis aucAxis = new NumberAxis("AUC");
    aucAxis.setRange(0.0, 1.0);
    plot.setRangeAxis(1, aucAxis);
    plot.setDataset(1, new XYSeriesCollection(auc));
    plot.mapDatasetToRangeAxis(1, 1);
    XYLineAndShapeRenderer aucRenderer = new XYLineAndShapeRenderer(true, true);
    aucRenderer.setSeriesPaint(0, new Color(0, 110, 180));
    plot.setRenderer(1, aucRenderer);
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    chart.setBackgroundPaint(Color.WHITE);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ChartUtils.writeChartAsPNG(out, chart, 900, 500);
  }
}
