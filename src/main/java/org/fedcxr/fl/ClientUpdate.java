package org.fedcxr.fl;

import java.io.Serializable;

/**
 * What a client task returns: its id, sample count, new weights (flat view), mean training loss of its last local
 * epoch and time; or, when the client dropped out, the reason and no weights.
 */
public record ClientUpdate(int clientId, int samples, float[] weights, double loss, double seconds, String dropped)
    implements Serializable {
  public boolean ok() {
    return dropped == null;
  }

  static ClientUpdate dropout(int clientId, String reason, double seconds) {
    return new ClientUpdate(clientId, 0, null, Double.NaN, seconds, reason);
  }
}
