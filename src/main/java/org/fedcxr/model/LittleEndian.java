package org.fedcxr.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Float arrays as little-endian bytes and back: the layout of safetensors data and of weights sent between JVMs. */
public final class LittleEndian {
  private LittleEndian() {
  }

  public static byte[] bytes(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  public static float[] floats(byte[] bytes) {
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
