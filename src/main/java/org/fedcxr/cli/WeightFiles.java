package org.fedcxr.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.HadoopFiles;
import org.fedcxr.config.JobFailure;
import org.fedcxr.model.Architecture;
import org.fedcxr.model.SafeTensors;
import org.fedcxr.model.Weights;

/** Reading checkpoints and encoder exports named in specs, from any Hadoop file system, for the driver. */
final class WeightFiles {
  private WeightFiles() {
  }

  static byte[] read(SparkSession spark, String location) {
    try {
      return HadoopFiles.readAll(new Path(location), spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new JobFailure("cannot read " + location + ": " + e, e);
    }
  }

  static Map<String, String> metadata(byte[] weights, String location) {
    try {
      return SafeTensors.read(new ByteArrayInputStream(weights)).metadata();
    } catch (IOException e) {
      throw new JobFailure("weights " + location + " are not a safetensors file: " + e.getMessage(), e);
    }
  }

  /** The architecture from the spec's {@code architecture} key when set, else from the file's metadata. */
  static Architecture architecture(String fromSpec, Map<String, String> metadata, String location) {
    String name = fromSpec != null ? fromSpec : metadata.get(Weights.ARCHITECTURE);
    if (name == null) {
      throw new JobFailure("weights " + location + " name no architecture; set key 'architecture'");
    }
    return Architecture.named(name);
  }
}
