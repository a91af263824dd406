package org.fedcxr.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
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
}
