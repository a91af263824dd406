package org.fedcxr.report;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.fedcxr.partition.ClientStats;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** A stacked bar chart of each client's data: one bar per client, one segment per label (and No Finding). */
public final class ClientMixChart {
  private ClientMixChart() {
  }

  /** Writes the chart as a PNG. */
  public static void writePng(List<ClientStats> clients, List<String> labels, String title, OutputStream out)
      throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (ClientStats c : clients) {
      String client = "client " + c.clientId();
      for (int i = 0; i < labels.size(); i++) {
        data.addValue(c.positives()[i], labels.get(i), client);
      }
      data.addValue(c.noFinding(), "No Finding", client);
    }
    JFreeChart chart = ChartFactory.createStackedBarChart(title, "client",
        "images with the label (multi-label images count once per label)", data, PlotOrientation.VERTICAL, true,
        false, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
    int width = Math.max(900, 60 * clients.size() + 300);
    ChartUtils.writeChartAsPNG(out, chart, width, 600);
  }
}
