package org.fedcxr.study;

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
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.HadoopFiles;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobLauncher;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.config.SpecKey;

/**
 * One study's run (the {@code study} job): its output claimed ({@link #claim}), where its parts go, the jobs that make
 * them (run by the given {@link JobLauncher}: partition, pretrain, federate), and reading them back.
 */
public final class StudyRun {
  /** Spec keys that change no result (a study may be moved, keep fewer checkpoints), so a resume may change them. */
  private static final List<String> FREE_KEYS = List.of("parallel_cells", "output", "keep_checkpoints");

  private final SparkSession spark;
  private final Spec spec;
  private final String input;
  private final String root;
  private final boolean print;
  private final JobLauncher jobs;
  private final Configuration conf;
  private final long startNanos = System.nanoTime();
  private final Map<String, Object> partitionLocks = new ConcurrentHashMap<>();

  /** {@code input}: the ingest output; {@code root}: the study's output, claimed; {@code print}: progress on stdout. */
  public StudyRun(SparkSession spark, Spec spec, String input, String root, boolean print, JobLauncher jobs) {
    this.spark = spark;
    this.spec = spec;
    this.input = input;
    this.root = root;
    this.print = print;
    this.jobs = jobs;
    this.conf = spark.sparkContext().hadoopConfiguration();
  }

  /**
   * Makes sure {@code root} holds this study or nothing: a new study needs an empty output (its spec is written there
   * as {@code study-spec.json}); {@code resume} needs the same spec, apart from keys that change no result, as the
   * study that started it.
   */
  public static void claim(String root, Spec spec, boolean resume, Configuration conf) {
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
        Map<?, ?> before = new ObjectMapper().readValue(HadoopFiles.readAll(specFile, conf), Map.class);
        List<String> differ = new ArrayList<>();
        Map<String, SpecKey> keys = JobSpecs.schema("study").keys();
        for (String key : identity.keySet()) {
          Object a = before.containsKey(key) ? before.get(key) : keys.get(key).defaultValue();
          Object b = identity.get(key);
          if (!String.valueOf(a).equals(String.valueOf(b))) {
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
      HadoopFiles.writeAll(specFile, JobOutput.json(new LinkedHashMap<>(identity)).getBytes(StandardCharsets.UTF_8),
          conf);
    } catch (IOException e) {
      throw new JobFailure("cannot reach the study output " + root + ": " + e, e);
    }
  }

  /** Seconds since this run began. */
  public double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  public String cellDir(StudyCell c) {
    return root + "/cells/" + c.id();
  }

  private String partitionDir(StudyCell c) {
    return root + "/partitions/" + c.partitionId();
  }

  /**
   * The SSL encoders: the given export, else one per pretraining of this study (each resumed if it was stopped); the
   * p-th pretraining has seed {@code seed + p} and its run in {@code pretrain/} (p = 0) or {@code pretrain-s<seed>/}.
   */
  public List<String> encoders() {
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
      return List.of(location);
    }
    List<String> encoders = new ArrayList<>();
    for (int p = 0; p < spec.integer("pretrainings"); p++) {
      String out = pretrainDir(p);
      if (!JobOutput.isComplete(out, conf)) {
        Spec pretrain = subSpec(JobSpecs.STUDY_PRETRAIN, List.of("input=" + input, "output=" + out,
            "seed=" + (spec.longValue("seed") + p), "architecture=" + spec.string("architecture"), "split=server"));
        if (print) {
          System.out.println("study: pretraining an SSL encoder on the server pool -> " + out);
        }
        jobs.launch(pretrain, true);
      } else if (print) {
        System.out.println("study: SSL encoder pretrained before, reused: " + out + "/encoder.safetensors");
      }
      encoders.add(out + "/encoder.safetensors");
    }
    return encoders;
  }

  private String pretrainDir(int p) {
    return root + (p == 0 ? "/pretrain" : "/pretrain-s" + (spec.longValue("seed") + p));
  }

  /** The encoder an SSL cell starts from: the cells of the i-th seed use encoder i mod the number of encoders. */
  static String encoderOf(StudyCell c, long baseSeed, List<String> encoders) {
    return encoders.get((int) Math.floorMod(c.seed() - baseSeed, (long) encoders.size()));
  }

  /** Runs every unfinished cell; returns the failed ones with their reasons. */
  public Map<StudyCell, String> runCells(List<StudyCell> cells, List<String> encoders, int parallel) {
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
            runCell(c, encoderOf(c, spec.longValue("seed"), encoders));
            double meanAuc = result(c).finalMeanAuc();
            double secs = (System.nanoTime() - start) / 1e9;
            double left;
            synchronized (done) {
              done[0] += work(c);
              left = Math.max(0, (System.nanoTime() - t0) / 1e9 / done[0] * (total - done[0] - done[1]));
            }
            if (print) {
              System.out.printf(Locale.ROOT, "study: cell %d/%d %s: mean AUC %.4f in %.0fs; ~%.0f min left%n", i,
                  cells.size(), c.id(), meanAuc, secs, left / 60);
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

  private void runCell(StudyCell c, String encoder) {
    String partition = partitionDir(c);
    synchronized (partitionLocks.computeIfAbsent(c.partitionId(), k -> new Object())) {
      if (!JobOutput.isComplete(partition, conf)) {
        jobs.launch(JobSpecs.schema("partition").load(null, List.of("input=" + input, "output=" + partition,
            "seed=" + c.seed(), "clients=" + spec.integer("clients"), "strategy=" + c.distribution(),
            "size_alpha=" + spec.number("size_alpha"), "fraction=" + c.fraction())), false);
      }
    }
    boolean ssl = c.init().equals("ssl");
    List<String> own = new ArrayList<>(ssl && spec.string("ssl_recipe").equals("independent")
        ? JobSpecs.INDEPENDENT_RECIPE : List.of());
    own.addAll(List.of("input=" + partition, "test=" + input, "output=" + cellDir(c), "seed=" + c.seed(),
        "architecture=" + spec.string("architecture"), "init=" + (ssl ? "ssl:" + encoder : "random")));
    jobs.launch(subSpec(JobSpecs.STUDY_FEDERATE, own), true);
  }

  /** The spec of a job the study runs: the study's forwarded keys, then what the study decides itself. */
  private Spec subSpec(JobSpecs.Forwarding forwarding, List<String> own) {
    List<String> settings = new ArrayList<>(forwarding.settings(spec));
    settings.addAll(own);
    return JobSpecs.schema(forwarding.job()).load(null, settings);
  }

  public CellResult result(StudyCell c) {
    String dir = cellDir(c);
    return CellResult.parse(c, read(dir + "/metrics.csv"), read(dir + "/metrics_per_label.csv"), dir);
  }

  /** Seconds of this study's pretraining epochs (losses.csv), summed over its pretrainings; 0 when given one. */
  public double pretrainSeconds() {
    if (spec.string("encoder") != null) {
      return 0;
    }
    double seconds = 0;
    for (int p = 0; p < spec.integer("pretrainings"); p++) {
      String losses = pretrainDir(p) + "/losses.csv";
      if (exists(losses)) {
        seconds += read(losses).lines().skip(1).filter(l -> !l.isBlank()).mapToDouble(l -> Double.parseDouble(
            l.split(",")[2])).sum();
      }
    }
    return seconds;
  }

  /** The clients chart of the first seed's non-IID, all-data partition. */
  public byte[] clientsChart(StudyGrid grid) {
    String p = partitionDir(new StudyCell("noniid", 1.0, "random", grid.baseSeed())) + "/charts/clients.png";
    return exists(p) ? readBytes(p) : null;
  }

  public String describeData() {
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
