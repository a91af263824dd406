package org.fedcxr.data;

import java.util.Iterator;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;

/** Maps a partition of image files row by row, with one {@link ImageDecoder} for the partition. */
abstract class DecodingFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private final int minSide;
  private final int maxSide;

  DecodingFunction(int minSide, int maxSide) {
    this.minSide = minSide;
    this.maxSide = maxSide;
  }

  /** How many tasks this JVM runs at once (its cores over the cores a task takes), each with its own decoder. */
  private static int concurrentTasks() {
    SparkEnv env = SparkEnv.get();
    int cores = Runtime.getRuntime().availableProcessors();
    if (env == null) {
      return cores;
    }
    return Math.max(1, env.conf().getInt("spark.executor.cores", cores) / env.conf().getInt("spark.task.cpus", 1));
  }

  /** The output row for one input row. */
  abstract Row convert(Row row, ImageDecoder decoder);

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    ImageDecoder decoder = new ImageDecoder(minSide, maxSide,
        ImageDecoder.decodeBudget(Runtime.getRuntime().maxMemory(), concurrentTasks()));
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        return convert(rows.next(), decoder);
      }
    };
  }
}
