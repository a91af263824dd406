package org.fedcxr.train;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The device a Spark task trains on: the GPU that Spark assigned to the task (resource {@code gpu}, the first address
 * is the CUDA index), else the CPU. Outside a task, the CPU.
 */
public final class Devices {
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
   * Intra-op threads for a training in the current task: outside Spark, the fallback; inside, the executor's cores
   * ({@code spark.executor.cores}; in local mode, the machine's), and never fewer than {@code spark.task.cpus}.
   * Only one training runs per JVM at a time, so it gets the whole executor; with the recommended layout
   * ({@code spark.task.cpus} = executor cores, one task per executor) the two are the same.
   */
  public static int threadsForCurrentTask(int fallback) {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return fallback;
    }
    SparkConf conf = SparkEnv.get().conf();
    int executorCores = conf.getInt("spark.executor.cores", Runtime.getRuntime().availableProcessors());
    return Math.max(Math.max(1, task.cpus()), executorCores);
  }
}
