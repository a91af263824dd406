package org.fedcxr.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch engine starts from the libtorch jar on the classpath with DJL offline (surefire sets
 * {@code ai.djl.offline=true}): nothing is downloaded at run time.
 */
class DjlOfflineTest {
  @Test
  void pytorchEngineRunsOfflineOnCpu() {
    assertEquals("true", System.getProperty("ai.djl.offline"));
    Engine engine = Engine.getEngine("PyTorch");
    assertEquals("2.7.1", engine.getVersion());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      assertArrayEquals(new float[] {7, 10, 15, 22}, a.matMul(a).toFloatArray());
    }
  }
}
