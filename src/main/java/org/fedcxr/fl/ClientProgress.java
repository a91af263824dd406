package org.fedcxr.fl;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.fedcxr.train.TrainingListener;
import scala.Tuple4;
import scala.collection.Iterator;
import scala.collection.immutable.Seq;

/**
 * Counts a round's clients done while its tasks run: the driver's accumulator holds the finished tasks' counts, and
 * executors' heartbeats ({@code spark.executor.heartbeatInterval}) carry the running tasks' counts so far. Reports
 * to {@link TrainingListener#onProgress} at most every {@link #EVERY_SECONDS} seconds.
 */
final class ClientProgress extends SparkListener {
  /** Seconds between two progress reports of a round. */
  static final long EVERY_SECONDS = 30;

  private final LongAccumulator done;
  private final int total;
  private final int round;
  private final TrainingListener<RoundReport> listener;
  private final long everyNanos;
  private final Map<Long, Long> running = new ConcurrentHashMap<>();
  private long lastReport = System.nanoTime();

  ClientProgress(LongAccumulator done, int total, int round, TrainingListener<RoundReport> listener,
      long everyNanos) {
    this.done = done;
    this.total = total;
    this.round = round;
    this.listener = listener;
    this.everyNanos = everyNanos;
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    Iterator<Tuple4<Object, Object, Object, Seq<AccumulableInfo>>> tasks =
        update.accumUpdates().iterator();
    while (tasks.hasNext()) {
      Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task = tasks.next();
      Iterator<AccumulableInfo> infos = task._4().iterator();
      while (infos.hasNext()) {
        AccumulableInfo info = infos.next();
        if (info.id() == done.id() && info.update().isDefined() && info.update().get() instanceof Number n) {
          running.put((Long) task._1(), n.longValue());
        }
      }
    }
    maybeReport();
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    taskEnded(end.taskInfo().taskId());
  }

  /** A finished task's count is now in the driver's accumulator (or lost with the failed attempt). */
  void taskEnded(long taskId) {
    running.remove(taskId);
    maybeReport();
  }

  /** Clients done: finished tasks' (merged on the driver) and running tasks' (from their last heartbeat). */
  long done() {
    long n = done.value();
    for (long v : running.values()) {
      n += v;
    }
    return Math.min(n, total);
  }

  private synchronized void maybeReport() {
    long now = System.nanoTime();
    if (now - lastReport >= everyNanos) {
      lastReport = now;
      listener.onProgress(round, done(), total);
    }
  }
}
