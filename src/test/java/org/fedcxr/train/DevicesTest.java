package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceInformation;
import org.fedcxr.config.JobFailure;
import org.junit.jupiter.api.Test;

class DevicesTest {
  @Test
  void theGpuSparkAssignedBecomesThatCudaDevice() {
    assertEquals(Device.gpu(3), Devices.fromResources(Map.of("gpu", new ResourceInformation("gpu",
        new String[] {"3"}))));
    assertEquals(Device.gpu(0), Devices.fromResources(Map.of("gpu", new ResourceInformation("gpu",
        new String[] {"0", "1"}))));
  }

  @Test
  void noGpuMeansCpuAndABadAddressIsAClearError() {
    assertEquals(Device.cpu(), Devices.fromResources(Map.of()));
    assertEquals(Device.cpu(), Devices.fromResources(Map.of("fpga", new ResourceInformation("fpga",
        new String[] {"0"}))));
    assertThrows(IllegalStateException.class, () -> Devices.fromResources(Map.of("gpu",
        new ResourceInformation("gpu", new String[] {"GPU-5a1f"}))));
    assertEquals(Device.cpu(), Devices.forCurrentTask());
    assertEquals(4, Devices.threadsForCurrentTask(4));
  }

  /** Unset, a training takes the executor's cores, one at a time; set, that many threads and cores / threads lanes. */
  @Test
  void trainingThreadsDivideTheExecutorAndABadValueNamesTheKey() {
    SparkConf conf = new SparkConf(false).set("spark.executor.cores", "4");
    assertEquals(4, Devices.trainingThreads(conf));
    assertEquals(1, Devices.trainingsAtOnce(conf));
    conf.set(Devices.TRAINING_THREADS, "1");
    assertEquals(1, Devices.trainingThreads(conf));
    assertEquals(4, Devices.trainingsAtOnce(conf));
    conf.set(Devices.TRAINING_THREADS, "3");
    assertEquals(1, Devices.trainingsAtOnce(conf)); // 4 / 3, rounded down
    for (String bad : new String[] {"0", "5", "two", ""}) {
      conf.set(Devices.TRAINING_THREADS, bad);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.trainingThreads(conf));
      assertTrue(e.getMessage().contains(Devices.TRAINING_THREADS) && e.getMessage().contains("'" + bad + "'"),
          e.getMessage());
      JobFailure f = assertThrows(JobFailure.class, () -> Devices.trainingsAtOnce(conf)); // the job's error, not a bug's
      assertTrue(f.getMessage().contains(Devices.TRAINING_THREADS), f.getMessage());
    }
  }
}
