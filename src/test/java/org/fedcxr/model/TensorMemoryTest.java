package org.fedcxr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class TensorMemoryTest {
  @Test
  void aContiguousFloatTensorIsReachedInPlace() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
      assertTrue(TensorMemory.reachable(a));
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.toFloatArray(), "the probe left the values as they were");
      FloatBuffer b = TensorMemory.of(a);
      b.put(4, 50f);
      assertArrayEquals(new float[] {1, 2, 3, 4, 50, 6}, a.toFloatArray(), "a write to the buffer is in the tensor");
    }
  }

  @Test
  void stridedEmptyAndNonFloatTensorsAreNot() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray strided = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)).transpose();
      assertFalse(TensorMemory.reachable(strided), "DJL would give a copy");
      assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, strided.toFloatArray());
      assertFalse(TensorMemory.reachable(m.create(new float[0], new Shape(0))));
      assertFalse(TensorMemory.reachable(m.create(new int[] {1, 2})));
      assertFalse(TensorMemory.reachable(m.ones(new Shape(3), DataType.FLOAT64)));
    }
  }
}
