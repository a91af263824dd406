package org.fedcxr.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.HadoopFiles;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImagesTable;
import org.fedcxr.study.CellResult;
import org.fedcxr.study.StudyCell;
import org.fedcxr.study.StudyFindings;
import org.fedcxr.study.StudyGrid;
import org.fedcxr.study.StudyRun;
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
  /** The settings of {@code --quick}; {@code --set} still overrides them. */
  static final List<String> QUICK = List.of("architecture=small", "rounds=3", "pretrain.epochs=8",
      "fractions=0.5,0.1,0.01");

  @Option(names = "--resume", description = "continue the study in the output, skipping every finished cell")
  boolean resume;

  @Option(names = "--quick", description = "a small grid that finishes in minutes: " + "architecture=small, "
      + "rounds=3, pretrain.epochs=8, fractions=0.5,0.1,0.01 (applied before --set)")
  boolean quick;

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
    StudyRun.claim(root, spec, resume, conf);
    StudyRun study = new StudyRun(spark, spec, input, root, print, Jobs.on(spark, print));
    List<String> encoders = study.encoders();
    List<StudyCell> cells = grid.cells();
    Map<StudyCell, String> failures = study.runCells(cells, encoders, spec.integer("parallel_cells"));
    List<CellResult> results = new ArrayList<>();
    for (StudyCell c : cells) {
      if (JobOutput.isComplete(study.cellDir(c), conf)) {
        results.add(study.result(c));
      }
    }
    List<String> labels = ImagesTable.labelNames(spark.read().parquet(input + "/images"));
    double seconds = study.seconds();
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
      Map<String, Object> reported = new LinkedHashMap<>();
      reported.put("part", "report");
      reported.put("cells_reported", results.size());
      reported.put("cells_in_grid", cells.size());
      out.commit(JobSummary.of(spec, root + "/report", started, reported));
      committed = true;
    } finally {
      if (!committed) {
        out.abort();
      }
    }
    Map<String, Object> outcome = new LinkedHashMap<>();
    outcome.put("command", command);
    outcome.put("encoders", encoders);
    outcome.put("cells_in_grid", cells.size());
    outcome.put("cells_finished", results.size());
    outcome.put("cells_failed", failures);
    Map<String, Object> summary = JobSummary.of(spec, root, started, outcome);
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

  private static void writeText(String root, String name, String text, Configuration conf) {
    Path p = new Path(root, name);
    try {
      HadoopFiles.writeAll(p, text.getBytes(StandardCharsets.UTF_8), conf);
    } catch (IOException e) {
      throw new JobFailure("cannot write " + p + ": " + e, e);
    }
  }
}
