package org.fedcxr.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.catalog.Catalog;
import org.fedcxr.catalog.DatasetDescriptor;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobLauncher;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Seeds;
import org.fedcxr.config.Spec;
import org.fedcxr.data.GrayImage;
import org.fedcxr.data.ImageDecoder;
import org.fedcxr.data.Resampler;
import org.fedcxr.data.SyntheticXrays;

/**
 * The {@code ingest} suite of {@code bench}: throughput from NIH-sized PNGs to the output size, measured side by side
 * in one run: fedcxr's decode+resize on one thread, the whole ingest job on this Spark master (on half the files and
 * on all of them, after a warm-up run: the difference gives the rate at scale, without the job's fixed cost), and
 * ImageMagick on the same files (one process per file with {@code convert}, and one process for all with
 * {@code mogrify}), both held to one thread. The source PNGs are the bundled real X-rays upscaled to
 * {@code source_px} with mild sensor-like noise (about NIH's 0.3-0.5 MB per PNG), so they compress like NIH's
 * originals.
 */
final class IngestBenchmark {
  private IngestBenchmark() {
  }

  static Map<String, Object> run(SparkSession spark, Spec spec, Path dir, JobLauncher jobs) {
    int count = spec.integer("count");
    int size = spec.integer("image_size");
    for (String scratch : List.of("source", "source-half", "catalog", "im-convert", "im-mogrify")) {
      deleteTree(dir.resolve(scratch));
    }
    Path inputs = dir.resolve("source");
    List<Path> files = makeSources(inputs, count, spec.integer("source_px"), spec.longValue("seed"));
    long bytes = files.stream().mapToLong(IngestBenchmark::size).sum();

    Map<String, Object> results = new LinkedHashMap<>();
    results.put("images", count);
    results.put("source_px", spec.integer("source_px"));
    results.put("source_mb", bytes / 1e6);
    results.put("output_px", size);
    results.put("cores", Runtime.getRuntime().availableProcessors());
    double jvm = decodeResizeOneThread(files, size);
    results.put("fedcxr_decode_resize_1_thread_img_per_s", jvm);
    int half = count / 2;
    linkSubset(files.subList(0, half), inputs, dir.resolve("source-half"));
    ingestSeconds(jobs, spec, dir, "bench-half", "ingested-half");
    double halfSeconds = ingestSeconds(jobs, spec, dir, "bench-half", "ingested-half");
    double jobSeconds = ingestSeconds(jobs, spec, dir, "bench", "ingested");
    int sparkCores = spark.sparkContext().defaultParallelism();
    double marginal = (count - half) / (jobSeconds - halfSeconds) / sparkCores;
    results.put("fedcxr_ingest_job_seconds_" + half + "_images", halfSeconds);
    results.put("fedcxr_ingest_job_seconds_" + count + "_images", jobSeconds);
    results.put("fedcxr_ingest_job_cores", sparkCores);
    results.put("fedcxr_ingest_job_img_per_s_per_core", count / jobSeconds / sparkCores);
    results.put("fedcxr_ingest_job_marginal_img_per_s_per_core", marginal);
    String convert = spec.string("imagemagick");
    if (!convert.equals("none")) {
      double perFile = imageMagickPerFile(convert, files, size, dir.resolve("im-convert"));
      double batch = imageMagickBatch(convert, files, size, dir.resolve("im-mogrify"));
      results.put("imagemagick_convert_per_file_1_thread_img_per_s", perFile);
      results.put("imagemagick_mogrify_batch_1_thread_img_per_s", batch);
      results.put("ratio_fedcxr_1_thread_vs_imagemagick_batch", jvm / batch);
      results.put("ratio_fedcxr_job_marginal_per_core_vs_imagemagick_batch", marginal / batch);
      results.put("ratio_fedcxr_job_marginal_per_core_vs_imagemagick_convert", marginal / perFile);
    }
    return results;
  }

  /** Wall time of a whole ingest job (label table, decode, resize, split, writes, summary) on the catalog entry. */
  private static double ingestSeconds(JobLauncher jobs, Spec spec, Path dir, String dataset, String out) {
    long t0 = System.nanoTime();
    Spec ingest = JobSpecs.schema("ingest").load(null, List.of("dataset=" + dataset,
        "catalog=" + dir.resolve("catalog"), "output=" + dir.resolve(out), "image_size=" + spec.integer("image_size"),
        "seed=" + spec.longValue("seed")));
    jobs.launch(ingest, false);
    return (System.nanoTime() - t0) / 1e9;
  }

  /** A second dataset holding the first files only (hard links, same label table), for the marginal rate. */
  private static void linkSubset(List<Path> subset, Path source, Path target) {
    try {
      Files.createDirectories(target.resolve("images"));
      for (Path f : subset) {
        Files.createLink(target.resolve("images").resolve(f.getFileName()), f);
      }
      Files.copy(source.resolve("Data_Entry_2017.csv"), target.resolve("Data_Entry_2017.csv"));
      Path catalog = target.getParent().resolve("catalog");
      Files.writeString(catalog.resolve("bench-half.yaml"),
          Files.readString(catalog.resolve("bench.yaml")).replace(source.toString(), target.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Upscaled bundled X-rays with noise, as 8-bit PNGs in the NIH layout, plus a catalog entry for them. */
  static List<Path> makeSources(Path dir, int count, int px, long seed) {
    DatasetDescriptor bundled = Catalog.open("data-catalog").get("nih-cxr14-bundled");
    Path images = Path.of(URI.create(bundled.images()));
    List<Path> real;
    try (Stream<Path> s = Files.list(images)) {
      real = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ImageDecoder decoder = new ImageDecoder(1, 65536, Long.MAX_VALUE);
    List<Path> out = new ArrayList<>();
    StringBuilder labels = new StringBuilder(SyntheticXrays.NIH_HEADER + "\n");
    try {
      Files.createDirectories(dir.resolve("images"));
      for (int i = 0; i < count; i++) {
        GrayImage src = decoder.decode(Files.readAllBytes(real.get(i % real.size()))).image();
        GrayImage big = Resampler.resize(src, px, px);
        SplittableRandom rnd = Seeds.random(seed, "bench", Integer.toString(i));
        byte[] noisy = big.pixels().clone();
        for (int k = 0; k < noisy.length; k++) {
          noisy[k] = (byte) Math.max(0, Math.min(255, (noisy[k] & 0xff) + (int) Math.round(rnd.nextGaussian() * 1.2)));
        }
        String name = String.format("%08d_000.png", i + 1);
        Path file = dir.resolve("images").resolve(name);
        SyntheticXrays.writePng(new GrayImage(px, px, noisy), file);
        out.add(file);
        labels.append(name).append(",No Finding,0,").append(i + 1).append(",050,M,PA,").append(px).append(',')
            .append(px).append(",0.143,0.143\n");
      }
      Files.writeString(dir.resolve("Data_Entry_2017.csv"), labels.toString());
      Path catalog = Files.createDirectories(dir.getParent().resolve("catalog"));
      Files.writeString(catalog.resolve("bench.yaml"), "format: nih\nlocation: " + dir + "\nimages: images\n"
          + "label_table: Data_Entry_2017.csv\nglob: \"*.png\"\nlabels: " + bundled.labels() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Images per second of read + decode + resize on this thread; the first pass warms the JIT and is not timed. */
  private static double decodeResizeOneThread(List<Path> files, int size) {
    ImageDecoder decoder = new ImageDecoder(1, 65536, Long.MAX_VALUE);
    long sink = 0;
    long start = 0;
    for (int pass = 0; pass < 2; pass++) {
      start = System.nanoTime();
      for (Path f : files) {
        try {
          sink += Resampler.resize(decoder.decode(Files.readAllBytes(f)).image(), size, size).pixels()[0];
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    if (sink == Long.MIN_VALUE) {
      System.out.println(sink);
    }
    return files.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static double imageMagickPerFile(String convert, List<Path> files, int size, Path out) {
    mkdirs(out);
    long start = System.nanoTime();
    for (Path f : files) {
      exec(List.of(convert, "-limit", "thread", "1", f.toString(), "-resize", size + "x" + size + "!",
          out.resolve(f.getFileName()).toString()));
    }
    return files.size() / ((System.nanoTime() - start) / 1e9);
  }

  private static double imageMagickBatch(String convert, List<Path> files, int size, Path out) {
    mkdirs(out);
    String mogrify = new File(new File(convert).getParentFile(), "mogrify").getPath();
    List<String> cmd = new ArrayList<>(List.of(mogrify, "-limit", "thread", "1", "-path", out.toString(),
        "-resize", size + "x" + size + "!"));
    files.forEach(f -> cmd.add(f.toString()));
    long start = System.nanoTime();
    exec(cmd);
    return files.size() / ((System.nanoTime() - start) / 1e9);
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void mkdirs(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void exec(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new JobFailure(cmd.get(0) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new JobFailure("cannot run " + cmd.get(0) + " (install ImageMagick, or --set imagemagick=none): " + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailure("interrupted", e);
    }
  }
}
