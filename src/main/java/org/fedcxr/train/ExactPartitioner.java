package org.fedcxr.train;

import org.apache.spark.Partitioner;

/**
 * Puts the rows keyed by client i into partition i, so each client is exactly one partition and one task
 * ({@code repartition(n, col)} hashes and leaves partitions empty or shared; STACK.md).
 */
public final class ExactPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final int clients;

  public ExactPartitioner(int clients) {
    this.clients = clients;
  }

  @Override
  public int numPartitions() {
    return clients;
  }

  @Override
  public int getPartition(Object key) {
    int client = (Integer) key;
    if (client < 0 || client >= clients) {
      throw new IllegalArgumentException("client id " + client + " outside 0.." + (clients - 1));
    }
    return client;
  }

  /** The rows of a keyed partition, without their keys. */
  public static <V> java.util.Iterator<V> values(java.util.Iterator<scala.Tuple2<Integer, V>> keyed) {
    return new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return keyed.hasNext();
      }

      @Override
      public V next() {
        return keyed.next()._2();
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExactPartitioner p && p.clients == clients;
  }

  @Override
  public int hashCode() {
    return clients;
  }
}
