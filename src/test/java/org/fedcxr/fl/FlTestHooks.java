package org.fedcxr.fl;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.fedcxr.train.TrainingListener;

/**
 * Fault injection for tests of the federated loop: observers that stop a run after a round, and client hooks that
 * fail a client's task or its own work (local Spark: the tasks run in the test's JVM, so the count of injected
 * failures is seen here).
 */
public final class FlTestHooks {
  private static final AtomicInteger INJECTED = new AtomicInteger();

  /** An observer that does nothing. */
  public static final TrainingListener<RoundReport> NO_OBSERVER = new TrainingListener<>() { };

  private FlTestHooks() {
  }

  /** An observer that throws after round {@code k} is checkpointed, as a driver crash would stop the run. */
  public static TrainingListener<RoundReport> stopAfterRound(int k) {
    return afterRound(k, () -> {
      throw new IllegalStateException("stopped after round " + k);
    });
  }

  /** An observer that runs {@code action} after round {@code k} is checkpointed (e.g. stops a store). */
  public static TrainingListener<RoundReport> afterRound(int k, Runnable action) {
    return new TrainingListener<>() {
      @Override
      public void onCheckpoint(RoundReport report, int rounds, double elapsed, double left) {
        if (report.round() == k) {
          action.run();
        }
      }
    };
  }

  /** The first attempt of client {@code c}'s task fails outside the client's code, as a lost executor would. */
  public static ClientHooks failFirstAttemptOfClient(int c) {
    return new Hooks(c, Fault.FAIL_FIRST_ATTEMPT, 0);
  }

  /** Client {@code c}'s own training fails every time (its data is unusable). */
  public static ClientHooks breakClient(int c) {
    return new Hooks(c, Fault.BREAK, 0);
  }

  /** Client {@code c}'s own work first sleeps {@code millis} (a straggler). */
  public static ClientHooks slowClient(int c, long millis) {
    return new Hooks(c, Fault.SLOW, millis);
  }

  public static int failuresInjected() {
    return INJECTED.get();
  }

  public static void reset() {
    INJECTED.set(0);
  }

  private enum Fault { FAIL_FIRST_ATTEMPT, BREAK, SLOW }

  /** One fault on one client; a static class, so that it serializes without the test instance. */
  private record Hooks(int client, Fault fault, long millis) implements ClientHooks {
    @Override
    public void beforeClient(int round, int c) {
      if (c == client && fault == Fault.FAIL_FIRST_ATTEMPT && TaskContext.get().attemptNumber() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected executor failure");
      }
    }

    @Override
    public void insideClient(int round, int c) {
      if (c != client) {
        return;
      }
      if (fault == Fault.BREAK) {
        throw new IllegalArgumentException("client " + c + " broken");
      }
      if (fault == Fault.SLOW) {
        try {
          Thread.sleep(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
