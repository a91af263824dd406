package org.fedcxr.cli;

import java.util.Map;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.catalog.Catalog;
import org.fedcxr.catalog.DatasetDescriptor;
import org.fedcxr.config.Spec;
import org.fedcxr.data.IngestSummary;
import org.fedcxr.data.Ingestor;
import org.fedcxr.data.PatientSplit;
import picocli.CommandLine.Command;

/** {@code ingest}: images + label table of a catalog dataset → images table, quarantine table, summary. */
@Command(name = "ingest", description = "Decode, resize, label and split a dataset into Parquet tables.")
public final class IngestJob extends JobCommand {

  @Override
  void run(SparkSession spark, Spec spec) {
    Map<String, Object> summary = execute(spark, spec, true);
    Map<?, ?> results = (Map<?, ?>) summary.get("results");
    System.out.println("ingest: " + results.get("images_ingested") + " images, " + results.get("quarantined")
        + " quarantined " + results.get("quarantined_by_reason") + " -> " + summary.get("output"));
  }

  /** Runs the ingest and returns its summary; {@code print} reports progress on stdout. */
  static Map<String, Object> execute(SparkSession spark, Spec spec, boolean print) {
    DatasetDescriptor dataset = Catalog.open(spec.string("catalog"))
        .get(spec.string("dataset"), spec.string("dataset_root"));
    String images = dataset.images();
    Ingestor.Settings settings = new Ingestor.Settings(dataset, images,
        spec.string("glob") != null ? spec.string("glob") : dataset.glob(),
        spec.integer("image_size"), spec.integer("min_source_px"), spec.integer("max_source_px"),
        spec.string("uncertain_policy") != null ? spec.string("uncertain_policy") : dataset.uncertainPolicy(),
        new PatientSplit(spec.longValue("seed"), spec.number("split.server"), spec.number("split.client"),
            spec.number("split.val")));
    return JobRunner.execute(spark, spec, out -> {
      if (print) {
        System.out.println("ingest: reading " + images + " (" + settings.glob() + "), labels "
            + dataset.labelTable());
      }
      Ingestor.Result result = Ingestor.run(spark, settings);
      try {
        result.images().write().mode(SaveMode.Overwrite).parquet(out.staged("images"));
        result.quarantine().write().mode(SaveMode.Overwrite).parquet(out.staged("quarantine"));
        Map<String, Object> summary = IngestSummary.of(result);
        summary.put("dataset", dataset.name());
        summary.put("images_location", images);
        summary.put("label_table", dataset.labelTable());
        return summary;
      } finally {
        result.all().unpersist();
      }
    });
  }
}
