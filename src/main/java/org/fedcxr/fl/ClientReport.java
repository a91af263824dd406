package org.fedcxr.fl;

import java.io.Serializable;

/**
 * One client's part in one round: images and optimizer steps trained, mean loss of its last local epoch, seconds of
 * training (not of waiting for the executor's trainer; for a dropout, until it failed), and {@code null} or the
 * reason it dropped out.
 */
public record ClientReport(int round, int client, int images, int steps, double loss, double seconds,
    String dropped) implements Serializable {
  public boolean ok() {
    return dropped == null;
  }
}
