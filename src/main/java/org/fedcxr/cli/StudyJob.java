package org.fedcxr.cli;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImagesTable;
import org.fedcxr.eval.CellResult;
import org.fedcxr.eval.StudyCell;
import org.fedcxr.eval.StudyFindings;
import org.fedcxr.eval.StudyGrid;
import org.fedcxr.report.StudyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code study}: the method's two experiments as one grid of federated runs (random vs SSL init; non-IID with all
 * data, the IID reference, and non-IID clients keeping less data; every cell with several seeds), from one SSL
 * encoder pretrained on the server pool, and the report. Finished cells are kept: {@code --resume} continues a stopped
 * study without redoing any of them. The study is complete ({@code _SUCCESS}) only when every cell is.
 */
@Command(name = "study", description = "The whole grid (random vs SSL init, non-IID/IID, data fractions, seeds) "
    + "and its report.")
public final class StudyJob extends JobCommand {
  /** Spec keys that change no result (a study may be moved), so a resumed study may differ in them. */
  private static final List<String> FREE_KEYS = List.of("parallel_cells", "output");
  /** The settings of {@code --quick}; {@code --set} still overrides them. */
  static final List<String> QUICK = List.of("architecture=small", "rounds=3", "pretrain.epochs=8",
      "fractions=0.5,0.1,0.01", "iid_reference=true", "seeds=3");

  @Option(names = "--resume", description = "continue the study in the output, skipping every finished cell")
  boolean resume;

  @Option(names = "--quick", description = "a small grid that finishes in minutes: " + "architecture=small, "
      + "rounds=3, pretrain.epochs=8, fractions=0.5,0.1,0.01 (applied before --set)")
  boolean quick;

  @Override
  String job() {
    return "study";
  }

  @Override
  List<String> presets() {
    return quick ? QUICK : List.of();
  }

  @Override
  void run(SparkSession spark, Spec spec) {
    execute(spark, spec, resume, command(), true);
  }

  private String command() {
    StringBuilder sb = new StringBuilder("bin/fedcxr study");
    if (specFile != null) {
      sb.append(" --spec ").append(specFile);
    }
    if (quick) {
      sb.append(" --quick");
    }
    overrides.forEach(o -> sb.append(" --set ").append(o));
    return sb.toString();
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec, boolean resume, String command, boolean print) {
    Instant started = Instant.now();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String input = JobOutput.requireComplete(spec.string("input"), "ingest", conf);
    String root = Locations.resolve(spec.string("output"));
    StudyGrid grid = new StudyGrid(spec.longValue("seed"), spec.integer("seeds"), JobSpecs.fractions(spec),
        spec.bool("iid_reference"));
    claimOutput(root, spec, resume, conf);
    Study study = new Study(spark, spec, input, root, print);
    String encoder = study.encoder();
    List<StudyCell> cells = grid.cells();
    Map<StudyCell, String> failures = study.runCells(cells, encoder, spec.integer("parallel_cells"));
    List<CellResult> results = new ArrayList<>();
    for (StudyCell c : cells) {
      if (JobOutput.isComplete(study.cellDir(c), conf)) {
        results.add(study.result(c));
      }
    }
    List<String> labels = ImagesTable.labelNames(spark.read().parquet(input + "/images"));
    double seconds = (System.nanoTime() - study.startNanos) / 1e9;
    StudyReport report = new StudyReport(new StudyFindings(grid, labels, results), new StudyReport.Context(command,
        SourceVersion.describe(), study.describeData(), spec.resolved(), seconds, study.pretrainSeconds(),
        Instant.now().toString(), study.clientsChart(grid)));
    JobOutput out = JobOutput.begin(root + "/report", conf);
    boolean committed = false;
    try {
      for (Map.Entry<String, byte[]> e : report.files().entrySet()) {
        try (OutputStream o = out.create(e.getKey())) {
          o.write(e.getValue());
        } catch (IOException ex) {
          throw new JobFailure("cannot write " + e.getKey() + " of the report in " + root + "/report: " + ex, ex);
        }
      }
      Map<String, Object> reportSummary = new LinkedHashMap<>();
      reportSummary.put("job", "study report");
      reportSummary.put("cells_reported", results.size());
      reportSummary.put("cells_in_grid", cells.size());
      out.commit(reportSummary);
      committed = true;
    } finally {
      if (!committed) {
        out.abort();
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job", "study");
    summary.put("output", root);
    summary.put("command", command);
    summary.put("commit", SourceVersion.describe());
    summary.put("spec", spec.resolved());
    summary.put("started", started.toString());
    summary.put("seconds", seconds);
    summary.put("encoder", encoder);
    summary.put("cells_in_grid", cells.size());
    summary.put("cells_finished", results.size());
    summary.put("cells_failed", failures);
    if (!failures.isEmpty()) {
      writeText(root, "_FAILED.json", JobOutput.json(summary), conf);
      StringBuilder msg = new StringBuilder(failures.size() + " of " + cells.size() + " cells failed (the others are "
          + "kept; rerun with --resume to retry only these):");
      failures.forEach((c, why) -> msg.append("\n  ").append(c.id()).append(": ").append(why));
      throw new JobFailure(msg.toString());
    }
    writeText(root, JobOutput.SUMMARY, JobOutput.json(summary), conf);
    writeText(root, JobOutput.SUCCESS, "", conf);
    if (print) {
      System.out.printf(Locale.ROOT, "study: %d cells in %.1f min; report %s/report/report.md (and report.html, "
          + "charts/, *.csv)%n", cells.size(), seconds / 60, root);
    }
    return summary;
  }

  /**
   * Makes sure {@code root} holds this study or nothing: a new study needs an empty output; {@code --resume} needs
   * the same spec (apart from keys that change no result) as the study that started it.
   */
  private static void claimOutput(String root, Spec spec, boolean resume, Configuration conf) {
    Map<String, Object> identity = new TreeMap<>(spec.resolved());
    FREE_KEYS.forEach(identity::remove);
    Path dir = new Path(root);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      Path specFile = new Path(dir, "study-spec.json");
      if (fs.exists(specFile)) {
        if (!resume) {
          throw new JobFailure("the output " + root + " already holds a study; pass --resume to continue it (its "
              + "finished cells are kept) or choose another output");
        }
        Map<?, ?> before;
        try (InputStream in = fs.open(specFile)) {
          before = new ObjectMapper().readValue(in, Map.class);
        }
        List<String> differ = new ArrayList<>();
        for (String key : identity.keySet()) {
          Object a = before.get(key);
          Object b = identity.get(key);
          if (!before.containsKey(key) || !String.valueOf(a).equals(String.valueOf(b))) {
            differ.add(key + " (was " + a + ", now " + b + ")");
          }
        }
        if (!differ.isEmpty()) {
          throw new JobFailure("cannot resume the study in " + root + " with a different spec: " + String.join(", ",
              differ) + "; use the original settings or another output");
        }
        return;
      }
      if (fs.exists(dir) && fs.listStatus(dir).length > 0) {
        throw new JobFailure("the output " + root + " is not empty and holds no study (no study-spec.json); "
            + "choose another output");
      }
      writeText(root, "study-spec.json", JobOutput.json(new LinkedHashMap<>(identity)), conf);
    } catch (IOException e) {
      throw new JobFailure("cannot reach the study output " + root + ": " + e, e);
    }
  }

  private static void writeText(String root, String name, String text, Configuration conf) {
    Path p = new Path(root, name);
    try (OutputStream o = p.getFileSystem(conf).create(p, true)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new JobFailure("cannot write " + p + ": " + e, e);
    }
  }

  /** One study's run: where its parts go, and the jobs that make them. */
  private static final class Study {
    final SparkSession spark;
    final Spec spec;
    final String input;
    final String root;
    final boolean print;
    final Configuration conf;
    final long startNanos = System.nanoTime();
    final Map<String, Object> partitionLocks = new ConcurrentHashMap<>();

    Study(SparkSession spark, Spec spec, String input, String root, boolean print) {
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
        Spec pretrain = JobSpecs.schema("pretrain").load(null, List.of("input=" + input, "output=" + out,
            "seed=" + spec.longValue("seed"), "architecture=" + spec.string("architecture"),
            "epochs=" + spec.integer("pretrain.epochs"), "method=" + spec.string("pretrain.method"),
            "sr_layer=" + spec.string("pretrain.sr_layer"), "batch_size=" + spec.integer("pretrain.batch_size"),
            "learning_rate=" + spec.number("pretrain.learning_rate")));
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
      double total = cells.stream().mapToDouble(Study::work).sum();
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
              Map<?, ?> last = (Map<?, ?>) runCell(c, encoder).get("final");
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
      } catch (java.util.concurrent.ExecutionException e) {
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
      Spec federate = JobSpecs.schema("federate").load(null, List.of("input=" + partition, "test=" + input,
          "output=" + cellDir(c), "seed=" + c.seed(), "architecture=" + spec.string("architecture"),
          "init=" + (c.init().equals("ssl") ? "ssl:" + encoder : "random"), "rounds=" + spec.integer("rounds"),
          "local_epochs=" + spec.integer("local_epochs"), "batch_size=" + spec.integer("batch_size"),
          "learning_rate=" + spec.number("learning_rate"), "eval_every=" + spec.integer("eval_every")));
      return FederateJob.execute(spark, federate, true, false);
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
      Path p = new Path(location);
      try (InputStream in = p.getFileSystem(conf).open(p)) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
      } catch (IOException e) {
        throw new JobFailure("cannot read " + location + ": " + e, e);
      }
    }
  }
}
