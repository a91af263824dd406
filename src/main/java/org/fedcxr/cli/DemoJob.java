package org.fedcxr.cli;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import picocli.CommandLine.Command;

/**
 * {@code demo}: {@code ingest}, {@code partition}, {@code federate} (evaluated on the test split every round) on the
 * bundled sample, printing where everything went.
 */
@Command(name = "demo", description = "Run ingest, partition and federate on the bundled NIH sample.")
public final class DemoJob extends JobCommand {
  @Override
  String job() {
    return "demo";
  }

  @Override
  void run(SparkSession spark, Spec spec) {
    String root = Locations.resolve(spec.string("output"));
    String ingestOut = root + "/ingest";
    String partitionOut = root + "/partition";
    String federateOut = root + "/federate";
    Spec ingest = JobSpecs.schema("ingest").load(null, List.of("dataset=" + spec.string("dataset"),
        "catalog=" + spec.string("catalog"), "output=" + ingestOut, "seed=" + spec.longValue("seed"),
        "image_size=" + spec.integer("image_size")));
    Spec partition = JobSpecs.schema("partition").load(null, List.of("input=" + ingestOut,
        "output=" + partitionOut, "seed=" + spec.longValue("seed"), "clients=" + spec.integer("clients")));
    Spec federate = JobSpecs.schema("federate").load(null, List.of("input=" + partitionOut, "test=" + ingestOut,
        "output=" + federateOut, "seed=" + spec.longValue("seed"), "architecture=" + spec.string("architecture"),
        "rounds=" + spec.integer("rounds"), "batch_size=16", "learning_rate=0.002"));

    Map<?, ?> ing = (Map<?, ?>) IngestJob.execute(spark, ingest, true).get("results");
    System.out.println("demo: ingest  " + ing.get("images_ingested") + " images, splits " + ing.get("splits")
        + ", quarantined " + ing.get("quarantined_by_reason"));
    PartitionJob.execute(spark, partition);
    System.out.println("demo: partition " + spec.integer("clients") + " clients (noniid)");
    Map<?, ?> last = (Map<?, ?>) FederateJob.execute(spark, federate, false, true).get("final");
    System.out.println("demo: federate " + spec.integer("rounds") + " rounds (" + spec.string("architecture")
        + ", FedAvg): test mean AUC " + last.get("mean_auc") + " over " + last.get("labels_defined")
        + " diseases (undefined, no positive or negative in the test split: " + last.get("labels_undefined") + ")");
    System.out.println("demo: outputs");
    System.out.println("  images table     " + ingestOut + "/images");
    System.out.println("  quarantine       " + ingestOut + "/quarantine");
    System.out.println("  clients table    " + partitionOut + "/clients");
    System.out.println("  client counts    " + partitionOut + "/client_label_counts.csv");
    System.out.println("  client chart     " + partitionOut + "/charts/clients.png");
    System.out.println("  round metrics    " + federateOut + "/metrics.csv, " + federateOut + "/metrics_per_label.csv");
    System.out.println("  round chart      " + federateOut + "/charts/rounds.png");
    System.out.println("  final weights    " + federateOut + "/final.safetensors");
    System.out.println("  summaries        " + ingestOut + "/_SUMMARY.json, " + partitionOut + "/_SUMMARY.json, "
        + federateOut + "/_SUMMARY.json");
  }
}
