package org.fedcxr.train;

import org.apache.spark.Partitioner;

/**
 * Puts K clients into G groups of consecutive ids (client c in group ⌊c·G/K⌋), one partition and one task per group.
 * The assignment depends on K and G alone, never on the executors, so a run's partial sums are the same on any
 * cluster for the same G.
 */
public final class ClientGroups extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final int clients;
  private final int groups;

  public ClientGroups(int clients, int groups) {
    if (clients < 1 || groups < 1 || groups > clients) {
      throw new IllegalArgumentException("groups must be in 1.." + clients + " for " + clients + " clients, not "
          + groups);
    }
    this.clients = clients;
    this.groups = groups;
  }

  @Override
  public int numPartitions() {
    return groups;
  }

  @Override
  public int getPartition(Object key) {
    int client = (Integer) key;
    if (client < 0 || client >= clients) {
      throw new IllegalArgumentException("client id " + client + " outside 0.." + (clients - 1));
    }
    return (int) ((long) client * groups / clients);
  }

  /** The first client id of group {@code g} (0 ≤ g ≤ groups): group g holds first(g) to first(g+1) − 1. */
  public int firstClient(int g) {
    return (int) (((long) g * clients + groups - 1) / groups);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClientGroups p && p.clients == clients && p.groups == groups;
  }

  @Override
  public int hashCode() {
    return 31 * clients + groups;
  }
}
