package org.fedcxr.train;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.fedcxr.config.JobFailure;
import org.fedcxr.model.TorchThread;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The device and threads a Spark task trains with. The device: the GPU that Spark assigned to the task (resource
 * {@code gpu}, the first address is the CUDA index), else the CPU; outside a task, the CPU.
 */
public final class Devices {
  /** The Spark setting for the libtorch threads of one training (see {@link #trainingThreads}). */
  public static final String TRAINING_THREADS = "spark.fedcxr.training.threads";

  private Devices() {
  }

  /** The device for the current Spark task. */
  public static Device forCurrentTask() {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return Device.cpu();
    }
    return fromResources(CollectionConverters.asJava(task.resources()));
  }

  /** The device named by a task's resources: {@code gpu} addresses {@code ["3"]} give {@code gpu(3)}. */
  public static Device fromResources(Map<String, ResourceInformation> resources) {
    ResourceInformation gpu = resources.get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      return Device.cpu();
    }
    String address = gpu.addresses()[0];
    try {
      return Device.gpu(Integer.parseInt(address.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Spark assigned GPU address '" + address + "', which is not a CUDA index; "
          + "the discovery script must report device indices", e);
    }
  }

  /**
   * Intra-op threads for a training in the current task, and room for that training beside others: outside Spark,
   * the fallback; inside, {@link #trainingThreads(SparkConf)}, after letting this JVM run
   * {@link #trainingsAtOnce(SparkConf)} trainings at once ({@link TorchThread#ensureLanes}).
   */
  public static int threadsForCurrentTask(int fallback) {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return fallback;
    }
    SparkConf conf = SparkEnv.get().conf();
    TorchThread.ensureLanes(trainingsAtOnce(conf));
    return trainingThreads(conf);
  }

  /**
   * The libtorch threads of one training: {@value #TRAINING_THREADS} when set (1 to the executor's cores), else all
   * the executor's cores, one training at a time (as before the key existed: results depend on the thread count).
   */
  public static int trainingThreads(SparkConf conf) {
    int cores = executorCores(conf);
    if (!conf.contains(TRAINING_THREADS)) {
      return cores;
    }
    String value = conf.get(TRAINING_THREADS).trim();
    int threads;
    try {
      threads = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      threads = 0;
    }
    if (threads < 1 || threads > cores) {
      throw new IllegalArgumentException(TRAINING_THREADS + " must be a whole number from 1 to the executor's " + cores
          + " cores (spark.executor.cores), not '" + value + "'");
    }
    return threads;
  }

  /**
   * {@link #trainingThreads} for a job's driver, before any work: a bad setting fails the job ({@link JobFailure},
   * naming the key) instead of its first Spark task.
   */
  public static int checkedTrainingThreads(SparkConf conf) {
    try {
      return trainingThreads(conf);
    } catch (IllegalArgumentException e) {
      throw new JobFailure(e.getMessage());
    }
  }

  /**
   * How many trainings an executor runs at once: its cores / {@link #checkedTrainingThreads}, rounded down; a bad
   * thread setting fails the job, naming the key.
   */
  public static int trainingsAtOnce(SparkConf conf) {
    return executorCores(conf) / checkedTrainingThreads(conf);
  }

  /** {@code spark.executor.cores}; in local mode (where it is unset), the machine's cores. */
  private static int executorCores(SparkConf conf) {
    return conf.getInt("spark.executor.cores", Runtime.getRuntime().availableProcessors());
  }
}
