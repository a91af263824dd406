package org.fedcxr.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * A float32 libtorch tensor's own CPU memory as a {@link FloatBuffer}, for element-wise updates done in one pass from
 * Java (no temporaries, no copies). Its users run their pass on the calling thread: split over a second Java thread
 * it was slower end to end, as those threads compete with libtorch's for the cores (docs/benchmarks.md).
 */
public final class TensorMemory {
  private TensorMemory() {
  }

  /**
   * Whether {@link #of} gives the array's own memory: a float32 libtorch tensor in CPU memory, not empty, and
   * contiguous. DJL gives a strided tensor's buffer as a direct buffer over a contiguous copy, so two buffers are
   * taken and a write to one must show in the other (then undone).
   */
  public static boolean reachable(NDArray array) {
    if (!(array instanceof PtNDArray a) || !Device.cpu().equals(a.getDevice()) || a.getDataType() != DataType.FLOAT32
        || a.size() == 0) {
      return false;
    }
    ByteBuffer one = JniUtils.getByteBuffer(a, true);
    ByteBuffer two = JniUtils.getByteBuffer(a, true);
    int bits = one.getInt(0);
    one.putInt(0, ~bits);
    boolean same = two.getInt(0) == ~bits;
    one.putInt(0, bits);
    return same;
  }

  /** The memory of an array that is {@link #reachable}: writes to the buffer are writes to the tensor. */
  public static FloatBuffer of(NDArray array) {
    return JniUtils.getByteBuffer((PtNDArray) array, true).asFloatBuffer();
  }
}
