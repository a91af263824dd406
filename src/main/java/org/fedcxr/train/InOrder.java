package org.fedcxr.train;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;

/**
 * Brings a persisted RDD's partitions to the driver in partition order, a few at a time, so the driver holds about
 * {@value #MAX_BYTES} bytes of them at once however many there are: how the federated rounds and pretraining's workers hand
 * their partial sums to the driver, which adds them in that fixed order.
 */
public final class InOrder {
  /** About how much of the RDD the driver fetches at once (and so holds besides its own state). */
  public static final long MAX_BYTES = 256L << 20;

  private InOrder() {
  }

  /**
   * Calls {@code action} on every element, partition by partition in order; {@code bytesPerPartition} is an estimate
   * of one partition's size that sets how many are fetched together. The RDD should be computed and persisted
   * first, or each fetch recomputes its partitions.
   */
  public static <T> void forEach(JavaRDD<T> rdd, long bytesPerPartition, Consumer<T> action) {
    int partitions = rdd.getNumPartitions();
    int chunk = (int) Math.max(1, Math.min(partitions, MAX_BYTES / Math.max(1, bytesPerPartition)));
    for (int from = 0; from < partitions; from += chunk) {
      int[] part = IntStream.range(from, Math.min(partitions, from + chunk)).toArray();
      for (List<T> list : rdd.collectPartitions(part)) {
        list.forEach(action);
      }
    }
  }
}
