package org.fedcxr.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecException;
import org.fedcxr.data.SyntheticXrays;
import picocli.CommandLine.Command;

/** {@code synthesize}: writes deterministic X-ray-like PNGs and an NIH-format label table to a local directory. */
@Command(name = "synthesize", description = "Generate synthetic X-ray-like images in the NIH layout.")
public final class SynthesizeJob extends JobCommand {

  @Override
  void run(SparkSession spark, Spec spec) {
    String output = Locations.resolve(spec.string("output"));
    if (!output.startsWith("file:")) {
      throw new SpecException("key 'output' is '" + spec.string("output")
          + "', but synthesize writes to a local directory (then copy it to the store)");
    }
    Map<String, Object> summary = JobRunner.execute(spark, spec, out -> {
      Path dir = Path.of(URI.create(out.staged("data")));
      List<SyntheticXrays.Sample> samples = SyntheticXrays.write(dir, spec.integer("count"),
          spec.integer("image_size"), spec.integer("images_per_patient"), spec.longValue("seed"));
      Map<String, Long> perLabel = new LinkedHashMap<>();
      SyntheticXrays.LABELS.forEach(l -> perLabel.put(l, 0L));
      perLabel.put("No Finding", 0L);
      for (SyntheticXrays.Sample s : samples) {
        if (s.labels().isEmpty()) {
          perLabel.merge("No Finding", 1L, Long::sum);
        }
        s.labels().forEach(i -> perLabel.merge(SyntheticXrays.LABELS.get(i), 1L, Long::sum));
      }
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("images", samples.size());
      results.put("images_per_label", perLabel);
      return results;
    });
    System.out.println("synthesize: " + spec.integer("count") + " images -> " + summary.get("output") + "/data");
  }
}
