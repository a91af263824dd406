package org.fedcxr.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImagesTable;
import org.fedcxr.partition.ClientPartitioner;
import org.fedcxr.partition.ClientSplitter;
import org.fedcxr.partition.ClientStats;
import org.fedcxr.report.ClientMixChart;
import picocli.CommandLine.Command;

/** {@code partition}: the client pool of an ingest output → K clients (table, per-client counts, chart). */
@Command(name = "partition", description = "Assign the client pool to K simulated clients.")
public final class PartitionJob extends JobCommand {

  @Override
  void run(SparkSession spark, Spec spec) {
    Map<String, Object> summary = execute(spark, spec);
    System.out.println("partition: " + spec.integer("clients") + " clients (" + spec.string("strategy")
        + ", fraction " + spec.number("fraction") + ") -> " + summary.get("output") + "; chart "
        + summary.get("output") + "/charts/clients.png");
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec) {
    String input = JobOutput.requireComplete(spec.string("input"), "ingest",
        spark.sparkContext().hadoopConfiguration());
    Dataset<Row> images = spark.read().parquet(input + "/images");
    List<String> labels = ImagesTable.labelNames(images);
    long seed = spec.longValue("seed");
    ClientPartitioner partitioner = new ClientPartitioner(spec.string("strategy"), spec.integer("clients"),
        spec.number("size_alpha"), spec.number("dirichlet_alpha"), seed);
    return JobRunner.execute(spark, spec, out -> {
      ClientSplitter.Result result = new ClientSplitter(partitioner, spec.number("fraction"), seed)
          .split(spark, images, labels.size());
      Dataset<Row> clients = result.clients().persist();
      try {
        clients.write().mode(SaveMode.Overwrite).partitionBy("client_id").parquet(out.staged("clients"));
        List<ClientStats> stats = ClientSplitter.stats(clients, labels.size(), result.assignment().drawnSizes());
        out.writeText("client_label_counts.csv", csv(stats, labels));
        try (OutputStream png = out.create("charts/clients.png")) {
          ClientMixChart.writePng(stats, labels, "Clients' data (" + spec.string("strategy") + ", K="
              + spec.integer("clients") + ", fraction " + spec.number("fraction") + ")", png);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("input", input);
        summary.put("images", stats.stream().mapToLong(ClientStats::images).sum());
        summary.put("patients", stats.stream().mapToLong(ClientStats::patients).sum());
        summary.put("label_names", labels);
        summary.put("clients", clientMaps(stats, labels));
        return summary;
      } finally {
        clients.unpersist();
      }
    });
  }

  private static String csv(List<ClientStats> stats, List<String> labels) {
    StringBuilder sb = new StringBuilder("client_id,images,patients,drawn_size,")
        .append(String.join(",", labels)).append(",No Finding\n");
    for (ClientStats c : stats) {
      sb.append(c.clientId()).append(',').append(c.images()).append(',').append(c.patients()).append(',')
          .append(c.drawnSize());
      for (long p : c.positives()) {
        sb.append(',').append(p);
      }
      sb.append(',').append(c.noFinding()).append('\n');
    }
    return sb.toString();
  }

  private static List<Map<String, Object>> clientMaps(List<ClientStats> stats, List<String> labels) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ClientStats c : stats) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("client_id", c.clientId());
      m.put("images", c.images());
      m.put("patients", c.patients());
      m.put("drawn_size", c.drawnSize());
      Map<String, Long> perLabel = new LinkedHashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        perLabel.put(labels.get(i), c.positives()[i]);
      }
      perLabel.put("No Finding", c.noFinding());
      m.put("images_per_label", perLabel);
      out.add(m);
    }
    return out;
  }
}
