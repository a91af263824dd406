package org.fedcxr.cli;

import static org.apache.spark.sql.functions.col;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobOutput;
import org.fedcxr.config.Locations;
import org.fedcxr.config.Spec;
import org.fedcxr.data.ImageStore;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.Initialization;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TorchThread;
import org.fedcxr.model.Weights;
import org.fedcxr.report.LineChart;
import org.fedcxr.report.ViewGrid;
import org.fedcxr.ssl.PretrainRun;
import org.fedcxr.ssl.SslBranch;
import org.fedcxr.ssl.SslConfig;
import org.fedcxr.ssl.SslTrainer;
import org.fedcxr.ssl.ViewAugmenter;
import org.fedcxr.train.Devices;
import org.fedcxr.train.RunStore;
import org.fedcxr.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pretrain}: self-supervised pretraining on an ingest output's server pool (labels never read); writes a run
 * store with a checkpoint per epoch and, at the end, {@code encoder.safetensors} (the base encoder only, with the
 * run's provenance), {@code losses.csv}, {@code charts/loss.png}, {@code charts/views.png}, {@code _SUMMARY.json}
 * and {@code _SUCCESS}. {@code --resume} continues from the last checkpoint.
 */
@Command(name = "pretrain", description = "Self-supervised pretraining (BYOL/SimSiam, SR-layer, edge augmentation).")
public final class PretrainJob extends JobCommand {
  @Option(names = "--resume", description = "continue the run in the output from its last complete epoch")
  boolean resume;

  @Override
  void run(SparkSession spark, Spec spec) {
    execute(spark, spec, resume, true);
  }

  static ViewAugmenter augmenter(Spec s) {
    return new ViewAugmenter(s.number("aug.crop_p"), s.number("aug.min_scale"), s.number("aug.rotate_p"),
        s.number("aug.max_degrees"), s.number("aug.color_p"), s.number("aug.brightness"), s.number("aug.contrast"),
        s.number("aug.gamma"), s.number("aug.blur_p"), s.number("aug.noise_p"), s.number("aug.noise_std"),
        s.number("aug.flip_p"), s.number("aug.edge_p"), s.number("aug.edge_min"), s.number("aug.edge_max"));
  }

  static Map<String, Object> execute(SparkSession spark, Spec spec, boolean resume, boolean print) {
    Instant started = Instant.now();
    int trainingThreads = Devices.checkedTrainingThreads(spark.sparkContext().getConf()); // results depend on it
    ImageStore.Result unlabelled = null;
    Dataset<Row> images;
    String data;
    if (spec.string("images") != null) { // a folder without a label table
      data = Locations.resolve(spec.string("images"));
      unlabelled = ImageStore.read(spark, new ImageStore.Settings(data, spec.string("images_glob"),
          spec.integer("image_size"), spec.integer("min_source_px"), spec.integer("max_source_px")));
      images = unlabelled.images();
    } else {
      String input = JobOutput.requireComplete(spec.string("input"), "ingest",
          spark.sparkContext().hadoopConfiguration());
      images = spark.read().parquet(input + "/images");
      if (spec.string("split").equals("server")) {
        images = images.filter(col("split").equalTo("server"));
      }
      data = input + " split=" + spec.string("split");
    }
    images = images.select("image_id", "height", "width", "pixels");
    Architecture arch = Architecture.named(spec.string("architecture"));
    long seed = spec.longValue("seed");
    ViewAugmenter augmenter = augmenter(spec);
    SslConfig config = new SslConfig(spec.string("method"), spec.string("sr_layer").equals("spectral-residual"),
        spec.integer("epochs"), spec.integer("batch_size"), (float) spec.number("learning_rate"),
        spec.string("schedule"), spec.integer("warmup_epochs"), (float) spec.number("weight_decay"),
        spec.string("optimizer_state"), (float) spec.number("ema"), spec.string("ema_schedule"),
        spec.integer("hidden"), spec.integer("dim"), spec.bool("joint_views"), augmenter, spec.integer("threads"));
    RunStore store = new RunStore(Locations.resolve(spec.string("output")),
        spark.sparkContext().hadoopConfiguration());
    List<PretrainRun.Epoch> history = new ArrayList<>();
    int epochs = spec.integer("epochs");
    JavaPairRDD<Integer, Row> shards = PretrainRun.shards(images, spec.integer("workers"), seed);
    float[][] weights;
    long count;
    try {
      count = shards.count();
      if (count == 0) {
        throw new JobFailure("no images to pretrain on in " + data);
      }
      weights = new PretrainRun(new JavaSparkContext(spark.sparkContext()), arch, config, seed, store,
          spec.integer("sync_every"))
          .run(shards, resume, history, new TrainingListener<>() {
            @Override
            public void onCheckpoint(PretrainRun.Epoch e, int units, double elapsed, double left) {
              if (print) {
                System.out.printf(Locale.ROOT, "pretrain: epoch %d/%d  loss %.4f  %.1f img/s  %.0fs elapsed  "
                    + "~%.0fs left%n", e.epoch(), epochs, e.loss(), e.imagesPerSecond(), elapsed, left);
              }
            }
          });
      if (unlabelled != null) {
        unlabelled.quarantine().write().mode(SaveMode.Overwrite).parquet(store.location() + "/quarantine");
      }
    } finally {
      shards.unpersist();
      if (unlabelled != null) {
        unlabelled.all().unpersist();
      }
    }
    double finalLoss = history.get(history.size() - 1).loss();
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("kind", "encoder");
    provenance.put("method", spec.string("method"));
    provenance.put("sr_layer", spec.string("sr_layer"));
    provenance.put("epochs", Integer.toString(epochs));
    provenance.put("final_loss", Double.toString(finalLoss));
    provenance.put("images", Long.toString(count));
    provenance.put("data", data);
    provenance.put("spec", JobOutput.json(new LinkedHashMap<>(spec.resolved())).trim());
    store.writeTop("encoder.safetensors", exportEncoder(arch, config, weights[0], provenance));
    StringBuilder csv = new StringBuilder("epoch,loss,seconds,images_per_second\n");
    double[] x = new double[history.size()];
    double[] y = new double[history.size()];
    for (int i = 0; i < history.size(); i++) {
      PretrainRun.Epoch e = history.get(i);
      csv.append(String.format(Locale.ROOT, "%d,%.6f,%.3f,%.2f%n", e.epoch(), e.loss(), e.seconds(),
          e.imagesPerSecond()));
      x[i] = e.epoch();
      y[i] = e.loss();
    }
    store.writeTop("losses.csv", csv.toString());
    store.writeTop("charts/loss.png", png(out -> LineChart.writePng("pretrain (" + spec.string("method") + ", "
        + arch.name() + ", SR " + spec.string("sr_layer") + ")", "epoch", "loss", x, y, out)));
    List<Row> sample = images.orderBy("image_id").limit(6).collectAsList();
    store.writeTop("charts/views.png", png(out -> ViewGrid.writePng(sample.stream().map(r -> r.getString(0))
        .toList(), sample.stream().map(r -> (byte[]) r.getAs("pixels")).toList(), sample.get(0).getInt(1),
        sample.get(0).getInt(2), augmenter, seed, out)));
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("resumed", resume);
    results.put("images", count);
    results.put("data", data);
    if (unlabelled != null) {
      results.put("quarantined", spark.read().parquet(store.location() + "/quarantine").count());
    }
    results.put("epochs", history);
    results.put("final_loss", finalLoss);
    results.put("training_threads", trainingThreads);
    Map<String, Object> summary = JobSummary.of(spec, store.location(), started, results);
    store.writeTop(JobOutput.SUMMARY, JobOutput.json(summary));
    store.writeTop(JobOutput.SUCCESS, new byte[0]);
    if (print) {
      System.out.println("pretrain: encoder " + store.location() + "/encoder.safetensors (use init: ssl:<that path>),"
          + " losses.csv, charts/loss.png, charts/views.png");
    }
    return summary;
  }

  private static byte[] exportEncoder(Architecture arch, SslConfig config, float[] online,
      Map<String, String> provenance) {
    return TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        SslBranch branch = new SslTrainer(arch, config).newOnline();
        Initialization.unseeded(() -> branch.initialize(m, DataType.FLOAT32, new Shape(2, 1, 64, 64)));
        StateDict.load(branch, online);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Weights.save(branch.encoder(), arch.name(), provenance, out);
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Something that writes a PNG. */
  private interface PngWriter {
    void write(OutputStream out) throws IOException;
  }

  private static byte[] png(PngWriter w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
