package org.fedcxr.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobLauncher;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Spec;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.fl.GlobalModel;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Weights;

/**
 * The {@code predict} suite of {@code bench}: the whole {@code predict} job (list, decode, resize, score, write) on
 * NIH-sized PNGs (the ingest suite's sources) with a model of {@code architecture} at {@code image_size}, on half the
 * files and on all of them after a warm-up run; the difference gives the rate at scale without the job's fixed cost,
 * per core of this Spark master.
 */
final class PredictBenchmark {
  private PredictBenchmark() {
  }

  static Map<String, Object> run(SparkSession spark, Spec spec, Path dir, JobLauncher jobs) {
    int count = spec.integer("count");
    int half = count / 2;
    for (String scratch : List.of("predict-source", "predict-half")) {
      IngestBenchmark.deleteTree(dir.resolve(scratch));
    }
    List<Path> files = IngestBenchmark.makeSources(dir.resolve("predict-source"), count, spec.integer("source_px"),
        spec.longValue("seed"));
    Path halfDir = dir.resolve("predict-half");
    Architecture arch = Architecture.named(spec.string("architecture"));
    Path weights = dir.resolve("predict-model.safetensors");
    try {
      Files.createDirectories(halfDir);
      for (Path f : files.subList(0, half)) {
        Files.createLink(halfDir.resolve(f.getFileName()), f);
      }
      try (GlobalModel model = new GlobalModel(arch, 14, spec.longValue("seed"))) {
        Files.write(weights, model.toSafetensors(model.current(), Map.of(Weights.LABELS, String.join(",",
            SyntheticXrays.LABELS), Weights.IMAGE_SIZE, Integer.toString(spec.integer("image_size")))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    predictSeconds(jobs, spec, weights, halfDir, dir.resolve("predicted-half")); // warm-up
    double halfSeconds = predictSeconds(jobs, spec, weights, halfDir, dir.resolve("predicted-half"));
    double allSeconds = predictSeconds(jobs, spec, weights, dir.resolve("predict-source/images"),
        dir.resolve("predicted"));
    int cores = spark.sparkContext().defaultParallelism();
    double atScale = (count - half) / (allSeconds - halfSeconds);
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("images", count);
    results.put("source_px", spec.integer("source_px"));
    results.put("image_size", spec.integer("image_size"));
    results.put("architecture", arch.name());
    results.put("batch_size", spec.integer("batch_size"));
    results.put("cores", cores);
    results.put("predict_seconds_half", halfSeconds);
    results.put("predict_seconds_all", allSeconds);
    results.put("predict_img_per_s", count / allSeconds);
    results.put("predict_img_per_s_at_scale", atScale);
    results.put("predict_img_per_s_per_core_at_scale", atScale / cores);
    return results;
  }

  private static double predictSeconds(JobLauncher jobs, Spec spec, Path weights, Path input, Path out) {
    long t0 = System.nanoTime();
    jobs.launch(JobSpecs.schema("predict").load(null, List.of("weights=" + weights, "input=" + input,
        "output=" + out, "batch_size=" + spec.integer("batch_size"))), false);
    return (System.nanoTime() - t0) / 1e9;
  }
}
