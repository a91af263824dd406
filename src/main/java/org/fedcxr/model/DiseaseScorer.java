package org.fedcxr.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fedcxr.config.HadoopFiles;

/**
 * A spark.ml {@link Transformer} that adds a {@code probabilities} column (one per label) to a DataFrame of images
 * (the images table's {@code pixels}, {@code height}, {@code width}); or, built from an encoder's weights with
 * {@link #featuresFromBytes}, a {@code features} column (the encoder's output, for linear probes). The weights are read once on the driver and
 * broadcast; each executor builds the model the first time one of its tasks needs it and keeps it for the others
 * (the pattern of DJL's Spark extension, which is not available for Spark 4). It saves and loads as a spark.ml stage
 * ({@link #write}, {@link #read}): {@code PipelineModel.load(path)} brings back a pipeline that scores the same.
 */
public final class DiseaseScorer extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String uid;
  private final String architecture;
  private final int labels;
  private final int batchSize;
  private final Broadcast<byte[]> weights;
  private final boolean features;

  private DiseaseScorer(String uid, String architecture, int labels, int batchSize, Broadcast<byte[]> weights,
      boolean features) {
    this.uid = uid;
    this.architecture = architecture;
    this.labels = labels;
    this.batchSize = batchSize;
    this.weights = weights;
    this.features = features;
  }

  /** A scorer for the weights at {@code location} (file:, hdfs://, s3a://). */
  public static DiseaseScorer fromWeights(SparkSession spark, String location, Architecture architecture,
      int labels, int batchSize) {
    byte[] bytes;
    try {
      bytes = HadoopFiles.readAll(new Path(location), spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read model weights " + location + ": " + e, e);
    }
    return fromBytes(spark, bytes, architecture, labels, batchSize);
  }

  /** A scorer for weights held in memory (safetensors bytes), e.g. a federated run's current global model. */
  public static DiseaseScorer fromBytes(SparkSession spark, byte[] weights, Architecture architecture, int labels,
      int batchSize) {
    Broadcast<byte[]> b = new JavaSparkContext(spark.sparkContext()).broadcast(weights);
    return new DiseaseScorer("diseaseScorer_" + UUID.randomUUID(), architecture.name(), labels, batchSize, b, false);
  }

  /** A transformer adding the {@code features} of an encoder (safetensors bytes of the encoder alone). */
  public static DiseaseScorer featuresFromBytes(SparkSession spark, byte[] encoder, Architecture architecture,
      int batchSize) {
    Broadcast<byte[]> b = new JavaSparkContext(spark.sparkContext()).broadcast(encoder);
    return new DiseaseScorer("encoderFeatures_" + UUID.randomUUID(), architecture.name(), 1, batchSize, b, true);
  }

  /** Frees the broadcast weights and this JVM's cached model (executors drop theirs with the broadcast). */
  public void release() {
    Inference.evict(uid + "/" + weights.id());
    weights.destroy();
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    String key = uid + "/" + weights.id();
    return dataset.toDF().mapPartitions(new Score(key, architecture, labels, batchSize, weights, features),
        Encoders.row(out));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : List.of("pixels", "height", "width")) {
      if (!List.of(schema.fieldNames()).contains(c)) {
        throw new IllegalArgumentException("input has no column '" + c + "' (an images table is needed)");
      }
    }
    return schema.add(features ? "features" : "probabilities", DataTypes.createArrayType(DataTypes.FloatType, false),
        false);
  }

  @Override
  public Transformer copy(ParamMap extra) {
    return new DiseaseScorer(uid, architecture, labels, batchSize, weights, features);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** Saves this stage: spark.ml's metadata, settings ({@code fedcxr.json}) and weights (before {@link #release}). */
  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** The reader {@code PipelineModel.load} finds on this class. */
  public static MLReader<DiseaseScorer> read() {
    return new Reader();
  }

  /** Loads a stage saved by {@link #write}. */
  public static DiseaseScorer load(String path) {
    return read().load(path);
  }

  private static final String SETTINGS = "fedcxr.json";
  private static final String WEIGHTS = "weights.safetensors";

  private static final class Writer extends MLWriter {
    private final DiseaseScorer scorer;

    Writer(DiseaseScorer scorer) {
      this.scorer = scorer;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(scorer, path, sparkSession());
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("architecture", scorer.architecture);
      settings.put("labels", scorer.labels);
      settings.put("batch_size", scorer.batchSize);
      settings.put("features", scorer.features);
      try {
        write(path, SETTINGS, JSON.writeValueAsBytes(settings));
        write(path, WEIGHTS, scorer.weights.value());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot save the scorer to " + path + ": " + e.getMessage(), e);
      }
    }

    private void write(String dir, String name, byte[] bytes) throws IOException {
      Path p = new Path(dir, name);
      try (OutputStream out = p.getFileSystem(sparkSession().sparkContext().hadoopConfiguration()).create(p, true)) {
        out.write(bytes);
      }
    }
  }

  private static final class Reader extends MLReader<DiseaseScorer> {
    @Override
    public DiseaseScorer load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
          DiseaseScorer.class.getName());
      try {
        Map<?, ?> settings = JSON.readValue(read(path, SETTINGS), Map.class);
        Broadcast<byte[]> b = new JavaSparkContext(sparkSession().sparkContext())
            .broadcast(read(path, WEIGHTS));
        return new DiseaseScorer(metadata.uid(), (String) settings.get("architecture"),
            ((Number) settings.get("labels")).intValue(), ((Number) settings.get("batch_size")).intValue(), b,
            (Boolean) settings.get("features"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load a scorer from " + path + ": " + e.getMessage(), e);
      }
    }

    private byte[] read(String dir, String name) throws IOException {
      return HadoopFiles.readAll(new Path(dir, name), sparkSession().sparkContext().hadoopConfiguration());
    }
  }

  /** Scores one partition in batches of consecutive rows of the same size. */
  private record Score(String key, String architecture, int labels, int batchSize, Broadcast<byte[]> weights,
      boolean features) implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      Inference model = Inference.cached(key, Architecture.named(architecture), labels, weights.value(), features);
      List<Row> out = new ArrayList<>();
      List<Row> batch = new ArrayList<>();
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          if (next < out.size()) {
            return true;
          }
          out.clear();
          next = 0;
          fill();
          return !out.isEmpty();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return out.get(next++);
        }

        private void fill() {
          batch.clear();
          while (rows.hasNext() && batch.size() < batchSize) {
            Row r = rows.next();
            if (!batch.isEmpty() && !sameSize(batch.get(0), r)) {
              score(model);
              batch.clear();
            }
            batch.add(r);
          }
          if (!batch.isEmpty()) {
            score(model);
          }
        }

        private void score(Inference m) {
          int h = batch.get(0).getAs("height");
          int w = batch.get(0).getAs("width");
          float[] x = new float[batch.size() * h * w];
          for (int i = 0; i < batch.size(); i++) {
            Pixels.normalise(batch.get(i).<byte[]>getAs("pixels"), x, i * h * w);
          }
          float[] p = features ? m.features(x, batch.size(), h, w) : m.probabilities(x, batch.size(), h, w);
          int width = p.length / batch.size();
          for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            Object[] values = new Object[r.size() + 1];
            for (int c = 0; c < r.size(); c++) {
              values[c] = r.get(c);
            }
            Float[] probs = new Float[width];
            for (int k = 0; k < width; k++) {
              probs[k] = p[i * width + k];
            }
            values[r.size()] = probs;
            out.add(RowFactory.create(values));
          }
        }

        private boolean sameSize(Row a, Row b) {
          return a.<Integer>getAs("height").equals(b.getAs("height"))
              && a.<Integer>getAs("width").equals(b.getAs("width"));
        }
      };
    }
  }
}
