package org.fedcxr.ssl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.Seeds;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.BatchNormStatistics;
import org.fedcxr.model.Classifier;
import org.fedcxr.model.Initialization;
import org.fedcxr.model.Pixels;
import org.fedcxr.model.TorchThread;
import org.fedcxr.model.Weights;
import org.fedcxr.train.LabelledImage;
import org.fedcxr.train.LocalShard;
import scala.Tuple2;

/**
 * An encoder export with its BatchNorm running statistics recomputed on un-augmented images
 * ({@link BatchNormStatistics}), so that they describe the images the encoder will see in transfer rather than the
 * augmented views it was pretrained on. One Spark task per shard ({@link PretrainRun#shards}) goes through its images
 * in batches of {@code batchSize} in an order drawn from the seed; the driver adds the shards' sums in shard order.
 */
public final class BatchNormRefresh {
  /** The metadata key that records the recomputation in the export. */
  public static final String PROVENANCE = "bn_statistics";

  private BatchNormRefresh() {
  }

  /**
   * The encoder (safetensors bytes of an encoder export) with statistics recomputed on the shards' images, which
   * {@code what} names in the export's metadata and in errors.
   */
  public static byte[] encoder(JavaPairRDD<Integer, Row> shards, Architecture architecture, byte[] encoder,
      int batchSize, long seed, String what) {
    if (batchSize < 2) {
      throw new IllegalArgumentException("BatchNorm statistics need batches of at least 2 images, not " + batchSize);
    }
    Broadcast<byte[]> weights = new JavaSparkContext(shards.context()).broadcast(encoder);
    String arch = architecture.name();
    List<Tuple2<Integer, BatchNormStatistics.Sums>> parts = new ArrayList<>(shards.mapPartitionsWithIndex(
        (Integer shard, Iterator<Tuple2<Integer, Row>> rows) -> {
          List<Tuple2<Integer, BatchNormStatistics.Sums>> out = new ArrayList<>();
          if (rows.hasNext()) {
            out.add(new Tuple2<>(shard, sums(rows, Architecture.named(arch), weights.value(), batchSize,
                Seeds.derive(seed, "bn-statistics", Integer.toString(shard)))));
          }
          return out.iterator();
        }, true).collect());
    weights.destroy();
    parts.sort((a, b) -> Integer.compare(a._1(), b._1()));
    BatchNormStatistics.Sums total = null;
    for (Tuple2<Integer, BatchNormStatistics.Sums> p : parts) {
      if (p._2() != null) {
        total = total == null ? p._2() : total.plus(p._2());
      }
    }
    if (total == null) {
      throw new JobFailure("BatchNorm statistics cannot be recomputed on " + what + ": no batch of 2 images in it");
    }
    BatchNormStatistics.Sums sums = total;
    return TorchThread.call(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        Classifier c = newClassifier(architecture, m);
        Map<String, String> provenance = new LinkedHashMap<>(Weights.load(c.encoder(),
            new ByteArrayInputStream(encoder)));
        provenance.remove(Weights.ARCHITECTURE);
        provenance.remove("format");
        BatchNormStatistics.apply(c.encoder(), sums);
        provenance.put(PROVENANCE, "recomputed on " + what + " (" + sums.images() + " images)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Weights.save(c.encoder(), architecture.name(), provenance, out);
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** One shard's sums (null when it cannot make a batch of 2). */
  private static BatchNormStatistics.Sums sums(Iterator<Tuple2<Integer, Row>> rows, Architecture architecture,
      byte[] encoder, int batchSize, long seed) throws IOException {
    try (LocalShard shard = LocalShard.spool(LabelledImage.unlabelled(PretrainRun.values(rows)),
        Path.of(System.getProperty("java.io.tmpdir")))) {
      int h = shard.height();
      int w = shard.width();
      int[] order = shard.order(seed, 0);
      return TorchThread.call(() -> {
        try (NDManager m = NDManager.newBaseManager()) {
          Classifier c = newClassifier(architecture, m);
          Weights.load(c.encoder(), new ByteArrayInputStream(encoder));
          byte[] px = new byte[h * w];
          float[] ignored = new float[0];
          BatchNormStatistics statistics = new BatchNormStatistics(c.encoder());
          for (int b = 0; b < order.length; b += batchSize) {
            int n = Math.min(batchSize, order.length - b);
            if (n < 2) { // a last batch of one image has no variance
              break;
            }
            float[] x = new float[n * h * w];
            for (int i = 0; i < n; i++) {
              shard.read(order[b + i], px, ignored);
              Pixels.normalise(px, x, i * h * w);
            }
            statistics.add(m, x, n, h, w);
          }
          return statistics.sums();
        }
      });
    }
  }

  private static Classifier newClassifier(Architecture architecture, NDManager m) {
    Classifier c = Classifier.of(architecture, 1);
    Initialization.unseeded(() -> c.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32)));
    return c;
  }
}
