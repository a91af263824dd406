package org.fedcxr.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * A float32 libtorch tensor's own CPU memory as a {@link FloatBuffer}, for element-wise updates done in one pass from
 * Java (no temporaries, no copies), and the split of such a pass over threads.
 */
public final class TensorMemory {
  /** Below this many elements a pass runs on the calling thread. */
  private static final int PARALLEL_MIN = 1 << 16;

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

  /**
   * Runs {@code pass} over {@code [0, n)} as up to {@code threads} contiguous ranges at once (one range when n is
   * small). For passes whose elements are computed independently, the result does not depend on the split.
   */
  public static void inRanges(int n, int threads, Pass pass) {
    int parts = Math.max(1, Math.min(threads, n / PARALLEL_MIN));
    if (parts == 1) {
      pass.over(0, n);
      return;
    }
    IntStream.range(0, parts).parallel()
        .forEach(p -> pass.over((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
  }

  /** An element-wise pass over a range of indices. */
  @FunctionalInterface
  public interface Pass {
    void over(int from, int to);
  }
}
