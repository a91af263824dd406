package org.fedcxr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fedcxr.config.JobFailure;
import org.fedcxr.config.JobSpecs;
import org.fedcxr.data.SyntheticXrays;
import org.fedcxr.fl.FlTestHooks;
import org.fedcxr.testing.SparkTests;
import org.fedcxr.testing.TestCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ingest from and federate to {@code hdfs://} on a MiniDFSCluster (a real NameNode and DataNode) started here. */
class HdfsStoreTest {
  @TempDir
  static Path dir;
  static MiniDFSCluster hdfs;
  static SparkSession spark;
  static String root;
  static FileSystem fs;

  @BeforeAll
  static void setUp() throws IOException {
    Configuration c = new Configuration();
    c.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
    hdfs = new MiniDFSCluster.Builder(c).numDataNodes(1).build();
    hdfs.waitActive();
    root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
    spark = SparkTests.start("local[2,4]");
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    conf.setInt("ipc.client.connect.max.retries", 1);
    conf.setInt("ipc.client.connect.retry.interval", 100);
    conf.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
    fs = FileSystem.get(URI.create(root + "/"), spark.sparkContext().hadoopConfiguration());
    Path data = dir.resolve("synthetic");
    SyntheticXrays.write(data, 100, 64, 2, 17);
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(data.toUri()), new org.apache.hadoop.fs.Path(root
        + "/synthetic"));
  }

  @AfterAll
  static void tearDown() {
    spark.stop();
    hdfs.shutdown();
  }

  @AfterEach
  void resetHooks() {
    FlTestHooks.reset();
  }

  static void ingest(String from, String to) {
    Path catalog = TestCatalog.write(dir.resolve("catalog-" + Math.abs(from.hashCode())), "synthetic",
        "format: nih\nlocation: " + from + "\nimages: images\nlabel_table: Data_Entry_2017.csv\nglob: \"*.png\"\n"
            + "labels: " + TestCatalog.NIH_LABELS + "\n");
    IngestJob.execute(spark, JobSpecs.schema("ingest").load(null, List.of("dataset=synthetic", "catalog=" + catalog,
        "output=" + to, "image_size=32", "split.server=0.2", "split.client=0.5", "split.test=0.3")), false);
  }

  static void partition(String in, String to) {
    PartitionJob.execute(spark, JobSpecs.schema("partition").load(null, List.of("input=" + in, "output=" + to,
        "clients=3")));
  }

  static List<String> federate(String in, String test, String out) {
    return new ArrayList<>(List.of("input=" + in, "test=" + test, "output=" + out, "architecture=small", "rounds=3",
        "batch_size=16", "learning_rate=0.003"));
  }

  @Test
  void ingestFromHdfsAndFederateToHdfsGiveTheLocalResultAndResumeAfterAStop() throws IOException {
    ingest(root + "/synthetic", root + "/runs/ingest");
    partition(root + "/runs/ingest", root + "/runs/partition");
    FederateJob.execute(spark, JobSpecs.schema("federate").load(null, federate(root + "/runs/partition",
        root + "/runs/ingest", root + "/runs/federate")), false, false);
    Path local = dir.resolve("local");
    ingest(dir.resolve("synthetic").toString(), local.resolve("ingest").toString());
    partition(local.resolve("ingest").toString(), local.resolve("partition").toString());
    FederateJob.execute(spark, JobSpecs.schema("federate").load(null, federate(local.resolve("partition").toString(),
        local.resolve("ingest").toString(), local.resolve("federate").toString())), false, false);
    assertEquals(spark.read().parquet(local.resolve("ingest") + "/images").count(),
        spark.read().parquet(root + "/runs/ingest/images").count());
    float[] expected = FederateJobTest.weights(local.resolve("federate/final.safetensors"));
    assertArrayEquals(expected, weights("runs/federate/final.safetensors"), "same weights as on local disk");

    // predict reads images and weights from HDFS and writes there: the same probabilities as from local disk
    PredictJob.execute(spark, JobSpecs.schema("predict").load(null, List.of("weights=" + root
        + "/runs/federate/final.safetensors", "input=" + root + "/synthetic/images", "output=" + root
        + "/runs/predict")));
    PredictJob.execute(spark, JobSpecs.schema("predict").load(null, List.of("weights=" + local.resolve(
        "federate/final.safetensors"), "input=" + dir.resolve("synthetic/images"), "output=" + local.resolve(
        "predict"))));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(root + "/runs/predict/_SUCCESS")));
    assertEquals(100, spark.read().parquet(root + "/runs/predict/predictions").count());
    // the same probabilities as from local disk, to float rounding: the two listings may split the images into
    // partitions, and so batches, differently, and libtorch's kernels differ in the last bits by batch size
    Map<String, List<Float>> fromLocal = new HashMap<>();
    spark.read().parquet(local.resolve("predict/predictions").toString()).select("image_id", "probabilities")
        .collectAsList().forEach(r -> fromLocal.put(r.getString(0), r.getList(1)));
    List<Row> fromHdfs = spark.read().parquet(root + "/runs/predict/predictions").select("image_id", "probabilities")
        .collectAsList();
    assertEquals(fromLocal.keySet(), fromHdfs.stream().map(r -> r.getString(0)).collect(Collectors.toSet()));
    for (Row r : fromHdfs) {
      List<Float> a = r.getList(1);
      List<Float> b = fromLocal.get(r.getString(0));
      for (int k = 0; k < a.size(); k++) {
        assertEquals(b.get(k), a.get(k), 1e-6f, r.getString(0) + " label " + k);
      }
    }

    // the driver stops after round 1; --resume on HDFS ends with the same weights
    String out = root + "/runs/federate-stopped";
    assertThrows(IllegalStateException.class, () -> FederateJob.execute(spark, JobSpecs.schema("federate")
        .load(null, federate(root + "/runs/partition", root + "/runs/ingest", out)), false, false,
        FlTestHooks.stopAfterRound(1)));
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path(out + "/_SUCCESS")));
    FederateJob.execute(spark, JobSpecs.schema("federate").load(null, federate(root + "/runs/partition",
        root + "/runs/ingest", out)), true, false);
    assertArrayEquals(expected, weights("runs/federate-stopped/final.safetensors"));
  }

  @Test
  void aStoppedNameNodeFailsTheJobNamingThePathAndLeavesNothingComplete() throws IOException {
    Path data = dir.resolve("synthetic");
    String out = root + "/runs/ingest-down";
    hdfs.shutdownNameNode(0);
    try {
      JobFailure e = assertThrows(JobFailure.class, () -> ingest(data.toString(), out));
      assertTrue(e.getMessage().contains(out.replace("hdfs://127.0.0.1", "hdfs://")) || e.getMessage().contains(
          "runs/ingest-down"), e.getMessage());
    } finally {
      hdfs.restartNameNode(0);
      hdfs.waitActive();
    }
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path(out + "/_SUCCESS")));
    ingest(data.toString(), out);
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/_SUCCESS")));
  }

  static float[] weights(String path) throws IOException {
    Path f = Files.createTempFile(dir, "weights", ".safetensors");
    fs.copyToLocalFile(new org.apache.hadoop.fs.Path(root + "/" + path), new org.apache.hadoop.fs.Path(f.toUri()));
    return FederateJobTest.weights(f);
  }
}
