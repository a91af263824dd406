package org.fedcxr.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.testing.TestCatalog;

/** Test fixture: a synthetic dataset under {@code dir}, ingested at 32 px with the given split fractions. */
final class SyntheticIngest {
  private SyntheticIngest() {
  }

  /** Returns the ingest output location ({@code dir/ingested}). */
  static Path ingest(SparkSession spark, Path dir, int images, int imagesPerPatient, long seed, double server,
      double client, double test) {
    Path data = dir.resolve("synthetic");
    SyntheticXrays.write(data, images, 64, imagesPerPatient, seed);
    Path catalog = TestCatalog.nih(dir.resolve("catalog"), "synthetic", data);
    Path ingested = dir.resolve("ingested");
    IngestJob.execute(spark, JobSpecs.schema("ingest").load(null, List.of("dataset=synthetic",
        "catalog=" + catalog, "output=" + ingested, "image_size=32", "split.server=" + server,
        "split.client=" + client, "split.test=" + test)), false);
    return ingested;
  }
}
