package org.fedcxr.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.fl.RoundReport;
import org.fedcxr.model.EvaluationResult;
import org.fedcxr.report.InitComparisonChart;
import picocli.CommandLine.Command;

/**
 * {@code demo}: {@code ingest} and {@code partition} of the bundled sample, then {@code federate} twice on the same
 * clients with the same seed and recipe, once from random initialisation and once from the shipped self-supervised
 * encoder ({@code ssl:}), both evaluated on the test split every round; writes {@code compare/} (a chart of both runs'
 * mean AUC per round, the per-disease table, a summary) and prints both AUCs and what they can and cannot show.
 */
@Command(name = "demo", description = "Random vs SSL initialisation, federated, on the bundled NIH sample.")
public final class DemoJob extends JobCommand {

  @Override
  void run(SparkSession spark, Spec spec) {
    String root = Locations.resolve(spec.string("output"));
    String ingestOut = root + "/ingest";
    String partitionOut = root + "/partition";
    String encoder = Locations.resolve(spec.string("encoder"), Locations.home());
    Spec ingest = JobSpecs.schema("ingest").load(null, List.of("dataset=" + spec.string("dataset"),
        "catalog=" + spec.string("catalog"), "output=" + ingestOut, "seed=" + spec.longValue("seed"),
        "image_size=" + spec.integer("image_size")));
    Spec partition = JobSpecs.schema("partition").load(null, List.of("input=" + ingestOut,
        "output=" + partitionOut, "seed=" + spec.longValue("seed"), "clients=" + spec.integer("clients")));

    Map<?, ?> ing = (Map<?, ?>) IngestJob.execute(spark, ingest, true).get("results");
    System.out.println("demo: ingest  " + ing.get("images_ingested") + " images (" + imagesBySplit((Map<?, ?>)
        ing.get("splits")) + "), quarantined " + ing.get("quarantined_by_reason"));
    PartitionJob.execute(spark, partition);
    System.out.println("demo: partition " + spec.integer("clients") + " clients (noniid)");
    Map<String, List<RoundReport>> runs = new LinkedHashMap<>();
    Map<String, EvaluationResult> finals = new LinkedHashMap<>();
    List<String> labels = List.of();
    for (String init : List.of("random", "ssl:" + encoder)) {
      String name = init.equals("random") ? "random" : "ssl";
      Spec federate = JobSpecs.schema("federate").load(null, List.of("input=" + partitionOut, "test=" + ingestOut,
          "output=" + root + "/federate-" + name, "seed=" + spec.longValue("seed"),
          "architecture=" + spec.string("architecture"), "init=" + init, "rounds=" + spec.integer("rounds"),
          "batch_size=16", "learning_rate=0.002"));
      System.out.println("demo: federate from " + (name.equals("random") ? "random initialisation" : "the SSL "
          + "encoder " + encoder));
      Map<String, Object> summary = FederateJob.execute(spark, federate, false, true);
      Map<String, Object> results = JobSummary.results(summary);
      List<RoundReport> rounds = rounds(results.get("rounds"));
      runs.put(name + " init", rounds);
      finals.put(name, rounds.get(rounds.size() - 1).evaluation());
      labels = ((List<?>) results.get("label_names")).stream().map(String::valueOf).toList();
    }
    Map<String, Object> comparison = compare(finals.get("random"), finals.get("ssl"), labels);
    writeComparison(spark, root + "/compare", spec, runs, comparison);
    System.out.printf(Locale.ROOT, "demo: test mean AUC over %s diseases: random init %.4f, SSL init %.4f "
        + "(SSL - random %+.4f; SSL higher on %d of %d diseases)%n", comparison.get("diseases"),
        comparison.get("random_mean_auc"), comparison.get("ssl_mean_auc"), comparison.get("difference"),
        comparison.get("ssl_higher"), comparison.get("diseases"));
    System.out.println("demo: what this shows: one seed, " + imagesBySplit((Map<?, ?>) ing.get("splits")) + ", "
        + spec.integer("rounds") + " rounds of a small encoder. A single run on a test split this small cannot "
        + "separate the two initialisations from seed noise; the study (bin/fedcxr study, docs/results/) measures "
        + "the difference over seeds with a confidence interval.");
    System.out.println("demo: outputs");
    System.out.println("  images table     " + ingestOut + "/images");
    System.out.println("  quarantine       " + ingestOut + "/quarantine");
    System.out.println("  clients table    " + partitionOut + "/clients");
    System.out.println("  client chart     " + partitionOut + "/charts/clients.png");
    System.out.println("  runs             " + root + "/federate-random, " + root + "/federate-ssl (metrics.csv, "
        + "metrics_per_label.csv, charts/rounds.png, final.safetensors)");
    System.out.println("  comparison       " + root + "/compare/random-vs-ssl.png, " + root
        + "/compare/per_disease.csv, " + root + "/compare/_SUMMARY.json");
  }

  /** "client 164, server 134, test 102 images" from ingest's per-split results. */
  private static String imagesBySplit(Map<?, ?> splits) {
    StringBuilder out = new StringBuilder();
    splits.forEach((name, counts) -> out.append(out.length() == 0 ? "" : ", ").append(name).append(' ')
        .append(((Map<?, ?>) counts).get("images")));
    return out.append(" images").toString();
  }

  private static List<RoundReport> rounds(Object history) {
    return ((List<?>) history).stream().map(RoundReport.class::cast).toList();
  }

  /** Both runs' final mean AUC, their difference and the diseases (defined in both) on which SSL is higher. */
  static Map<String, Object> compare(EvaluationResult random, EvaluationResult ssl, List<String> labels) {
    int higher = 0;
    int defined = 0;
    StringBuilder csv = new StringBuilder("disease,random_auc,ssl_auc\n");
    for (String label : labels) {
      Double a = random.perLabel().get(label).auc();
      Double b = ssl.perLabel().get(label).auc();
      csv.append(label).append(',').append(a == null ? "" : a).append(',').append(b == null ? "" : b).append('\n');
      if (a != null && b != null) {
        defined++;
        higher += b > a ? 1 : 0;
      }
    }
    double rm = random.meanAuc();
    double sm = ssl.meanAuc();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("random_mean_auc", rm);
    out.put("ssl_mean_auc", sm);
    out.put("difference", sm - rm);
    out.put("diseases", defined);
    out.put("ssl_higher", higher);
    out.put("per_disease_csv", csv.toString());
    return out;
  }

  private static void writeComparison(SparkSession spark, String location, Spec spec,
      Map<String, List<RoundReport>> runs, Map<String, Object> comparison) {
    JobOutput out = JobOutput.begin(location, spark.sparkContext().hadoopConfiguration());
    try {
      try (OutputStream png = out.create("random-vs-ssl.png")) {
        InitComparisonChart.writePng(runs, "demo: federated " + spec.string("architecture") + ", "
            + spec.integer("clients") + " non-IID clients: random vs SSL initialisation", png);
      }
      Map<String, Object> results = new LinkedHashMap<>(comparison);
      out.writeText("per_disease.csv", (String) results.remove("per_disease_csv"));
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("job", "demo");
      summary.put("output", out.location());
      summary.put("spec", spec.resolved());
      summary.put("results", results);
      out.commit(summary);
    } catch (IOException | RuntimeException e) {
      out.abort();
      throw new JobFailure("the demo's comparison " + location + " was not completed: " + e, e);
    }
  }
}
