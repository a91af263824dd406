package org.fedcxr.cli;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import picocli.CommandLine.Command;

/** {@code demo}: {@code ingest} then {@code partition} on the bundled sample, printing where everything went. */
@Command(name = "demo", description = "Run ingest and partition on the bundled NIH sample.")
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
    Spec ingest = JobSpecs.schema("ingest").load(null, List.of("dataset=" + spec.string("dataset"),
        "catalog=" + spec.string("catalog"), "output=" + ingestOut, "seed=" + spec.longValue("seed"),
        "image_size=" + spec.integer("image_size")));
    Spec partition = JobSpecs.schema("partition").load(null, List.of("input=" + ingestOut,
        "output=" + partitionOut, "seed=" + spec.longValue("seed"), "clients=" + spec.integer("clients")));

    Map<?, ?> ing = (Map<?, ?>) IngestJob.execute(spark, ingest, true).get("results");
    System.out.println("demo: ingest  " + ing.get("images_ingested") + " images, splits " + ing.get("splits")
        + ", quarantined " + ing.get("quarantined_by_reason"));
    Map<String, Object> part = PartitionJob.execute(spark, partition);
    System.out.println("demo: partition " + spec.integer("clients") + " clients (noniid)");
    System.out.println("demo: outputs");
    System.out.println("  images table     " + ingestOut + "/images");
    System.out.println("  quarantine       " + ingestOut + "/quarantine");
    System.out.println("  clients table    " + partitionOut + "/clients");
    System.out.println("  client counts    " + partitionOut + "/client_label_counts.csv");
    System.out.println("  client chart     " + part.get("output") + "/charts/clients.png");
    System.out.println("  summaries        " + ingestOut + "/_SUMMARY.json, " + partitionOut + "/_SUMMARY.json");
  }
}
