package org.fedcxr.cli;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.HadoopFiles;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.study.CellResult;
import org.fedcxr.study.StudyCell;
import org.fedcxr.study.StudyGrid;

/** One study's run ({@link StudyJob}): where its parts go, the jobs that make them, and reading them back. */
final class StudyRun {
  final SparkSession spark;
  final Spec spec;
  final String input;
  final String root;
  final boolean print;
  final Configuration conf;
  final long startNanos = System.nanoTime();
  final Map<String, Object> partitionLocks = new ConcurrentHashMap<>();

  StudyRun(SparkSession spark, Spec spec, String input, String root, boolean print) {
    this.spark = spark;
    this.spec = spec;
    this.input = input;
    this.root = root;
    this.print = print;
    this.conf = spark.sparkContext().hadoopConfiguration();
  }

  String cellDir(StudyCell c) {
    return root + "/cells/" + c.id();
  }

  String partitionDir(StudyCell c) {
    return root + "/partitions/" + c.partitionId();
  }

  /** The SSL encoder: the given export, else this study's pretraining (resumed if it was stopped). */
  String encoder() {
    String given = spec.string("encoder");
    if (given != null) {
      String location = Locations.resolve(given);
      try {
        Path p = new Path(location);
        if (!p.getFileSystem(conf).exists(p)) {
          throw new JobFailure("key 'encoder': " + location + " does not exist");
        }
      } catch (IOException e) {
        throw new JobFailure("key 'encoder': cannot reach " + location + ": " + e, e);
      }
      return location;
    }
    String out = root + "/pretrain";
    if (!JobOutput.isComplete(out, conf)) {
      Spec pretrain = subSpec(JobSpecs.STUDY_PRETRAIN, "input=" + input, "output=" + out,
          "seed=" + spec.longValue("seed"), "architecture=" + spec.string("architecture"), "split=server");
      if (print) {
        System.out.println("study: pretraining the SSL encoder on the server pool -> " + out);
      }
      PretrainJob.execute(spark, pretrain, true, print);
    } else if (print) {
      System.out.println("study: SSL encoder pretrained before, reused: " + out + "/encoder.safetensors");
    }
    return out + "/encoder.safetensors";
  }

  /** Runs every unfinished cell; returns the failed ones with their reasons. */
  Map<StudyCell, String> runCells(List<StudyCell> cells, String encoder, int parallel) {
    Map<StudyCell, String> failures = new ConcurrentHashMap<>();
    double total = cells.stream().mapToDouble(StudyRun::work).sum();
    double[] done = {0, 0};
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<?>> futures = new ArrayList<>();
      int[] index = {0};
      for (StudyCell c : cells) {
        int i = ++index[0];
        futures.add(pool.submit(() -> {
          if (JobOutput.isComplete(cellDir(c), conf)) {
            synchronized (done) {
              done[1] += work(c);
            }
            if (print) {
              System.out.printf(Locale.ROOT, "study: cell %d/%d %s finished before, kept%n", i, cells.size(),
                  c.id());
            }
            return;
          }
          long start = System.nanoTime();
          try {
            Map<?, ?> last = (Map<?, ?>) JobSummary.results(runCell(c, encoder)).get("final");
            double secs = (System.nanoTime() - start) / 1e9;
            double left;
            synchronized (done) {
              done[0] += work(c);
              left = Math.max(0, (System.nanoTime() - t0) / 1e9 / done[0] * (total - done[0] - done[1]));
            }
            if (print) {
              System.out.printf(Locale.ROOT, "study: cell %d/%d %s: mean AUC %s in %.0fs; ~%.0f min left%n", i,
                  cells.size(), c.id(), last.get("mean_auc"), secs, left / 60);
            }
          } catch (RuntimeException e) {
            failures.put(c, String.valueOf(e.getMessage()));
            if (print) {
              System.out.println("study: cell " + i + "/" + cells.size() + " " + c.id() + " FAILED: "
                  + e.getMessage());
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobFailure("the study was interrupted; finished cells are kept (--resume)", e);
    } catch (ExecutionException e) {
      throw new JobFailure("a cell's runner failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    Map<StudyCell, String> inOrder = new LinkedHashMap<>();
    cells.stream().filter(failures::containsKey).forEach(c -> inOrder.put(c, failures.get(c)));
    return inOrder;
  }

  /** Relative cost of a cell, for the time-left estimate: its data share plus a fixed part per run. */
  private static double work(StudyCell c) {
    return c.fraction() + 0.15;
  }

  private Map<String, Object> runCell(StudyCell c, String encoder) {
    String partition = partitionDir(c);
    synchronized (partitionLocks.computeIfAbsent(c.partitionId(), k -> new Object())) {
      if (!JobOutput.isComplete(partition, conf)) {
        PartitionJob.execute(spark, JobSpecs.schema("partition").load(null, List.of("input=" + input,
            "output=" + partition, "seed=" + c.seed(), "clients=" + spec.integer("clients"),
            "strategy=" + c.distribution(), "size_alpha=" + spec.number("size_alpha"),
            "fraction=" + c.fraction())));
      }
    }
    Spec federate = subSpec(JobSpecs.STUDY_FEDERATE, "input=" + partition, "test=" + input,
        "output=" + cellDir(c), "seed=" + c.seed(), "architecture=" + spec.string("architecture"),
        "init=" + (c.init().equals("ssl") ? "ssl:" + encoder : "random"));
    return FederateJob.execute(spark, federate, true, false);
  }

  /** The spec of a job the study runs: the study's forwarded keys, then what the study decides itself. */
  private Spec subSpec(JobSpecs.Forwarding forwarding, String... own) {
    List<String> settings = new ArrayList<>(forwarding.settings(spec));
    settings.addAll(List.of(own));
    return JobSpecs.schema(forwarding.job()).load(null, settings);
  }

  CellResult result(StudyCell c) {
    String dir = cellDir(c);
    return CellResult.parse(c, read(dir + "/metrics.csv"), read(dir + "/metrics_per_label.csv"), dir);
  }

  /** Seconds of this study's pretraining epochs (losses.csv), 0 when the encoder was given. */
  double pretrainSeconds() {
    String losses = root + "/pretrain/losses.csv";
    if (spec.string("encoder") != null || !exists(losses)) {
      return 0;
    }
    return read(losses).lines().skip(1).filter(l -> !l.isBlank()).mapToDouble(l -> Double.parseDouble(
        l.split(",")[2])).sum();
  }

  /** The clients chart of the first seed's non-IID, all-data partition. */
  byte[] clientsChart(StudyGrid grid) {
    String p = partitionDir(new StudyCell("noniid", 1.0, "random", grid.baseSeed())) + "/charts/clients.png";
    return exists(p) ? readBytes(p) : null;
  }

  String describeData() {
    Map<String, Long> splits = new TreeMap<>();
    for (Row r : spark.read().parquet(input + "/images").groupBy(col("split")).count().collectAsList()) {
      splits.put(r.getString(0), r.getLong(1));
    }
    String dataset = "?";
    String size = "?";
    try {
      Map<?, ?> summary = new ObjectMapper().readValue(readBytes(input + "/" + JobOutput.SUMMARY), Map.class);
      Map<?, ?> s = (Map<?, ?>) summary.get("spec");
      dataset = String.valueOf(s.get("dataset"));
      size = String.valueOf(s.get("image_size"));
    } catch (IOException | RuntimeException e) {
      // the counts below still describe the data
    }
    return String.format(Locale.ROOT, "ingest output %s (dataset %s, %s px); images per split %s", input, dataset,
        size, splits);
  }

  private boolean exists(String location) {
    try {
      Path p = new Path(location);
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      throw new JobFailure("cannot reach " + location + ": " + e, e);
    }
  }

  private String read(String location) {
    return new String(readBytes(location), StandardCharsets.UTF_8);
  }

  private byte[] readBytes(String location) {
    try {
      return HadoopFiles.readAll(new Path(location), conf);
    } catch (IOException e) {
      throw new JobFailure("cannot read " + location + ": " + e, e);
    }
  }
}
