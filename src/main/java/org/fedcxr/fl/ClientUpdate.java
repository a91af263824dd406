package org.fedcxr.fl;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * What a client task returns: its id, sample count, new weights (flat view), mean training loss of its last local
 * epoch and time; or, when the client dropped out, the reason and no weights. The weights travel as little-endian
 * bytes: Java serialization copies a byte[] in one block but writes a float[] value by value.
 */
public record ClientUpdate(int clientId, int samples, byte[] weightBytes, double loss, double seconds,
    String dropped) implements Serializable {
  static ClientUpdate of(int clientId, int samples, float[] weights, double loss, double seconds) {
    ByteBuffer b = ByteBuffer.allocate(weights.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(weights);
    return new ClientUpdate(clientId, samples, b.array(), loss, seconds, null);
  }

  static ClientUpdate dropout(int clientId, String reason, double seconds) {
    return new ClientUpdate(clientId, 0, null, Double.NaN, seconds, reason);
  }

  public boolean ok() {
    return dropped == null;
  }

  /** The weights, read in place. */
  public FloatBuffer weights() {
    return ByteBuffer.wrap(weightBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
  }
}
