package org.fedcxr.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of this JVM that run libtorch work, its lanes: every training, seeded initialisation and inference
 * batch of fedcxr is handed to a free lane and the caller waits. One lane by default, so one training at a time;
 * {@link #ensureLanes} adds lanes for executors that train several clients at once (each training on one lane, with
 * its own intra-op threads). Lanes are long-lived because libtorch keeps per-calling-thread state (an OpenMP thread
 * team, malloc arenas): called from Spark's ever-new task threads, a long-lived JVM grew by hundreds of MB per
 * training (measured: docs/benchmarks.md), called from a few fixed threads it does not. Only lanes run libtorch work:
 * a parallel op on any other thread gives that thread an OpenMP team of its own for its lifetime, and once libgomp
 * manages more threads than there are cores its waiting threads spin 100 times instead of 300,000 before they sleep
 * (docs/benchmarks.md, "One OpenMP team per JVM"). What is global in libtorch
 * and DJL is guarded elsewhere: gradients are recorded per thread ({@link GradientRecording}), and weights are drawn
 * from the one generator one initialisation at a time ({@link Initialization}).
 */
public final class TorchThread {
  private static final String NAME = "fedcxr-torch";
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ThreadPoolExecutor LANES = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new LinkedBlockingQueue<>(), r -> {
        // libtorch's gradient mode is per thread and on in a new one; DJL expects it off outside a
        // gradient recording (as on the thread that loaded the engine)
        Thread t = new Thread(() -> {
          Engine.getEngine("PyTorch");
          JniUtils.setGradMode(false);
          r.run();
        }, NAME + "-" + COUNT.incrementAndGet());
        t.setDaemon(true);
        return t;
      });

  private TorchThread() {
  }

  /** Lets {@code lanes} libtorch works run at once in this JVM; never lowers the count (lanes are kept). */
  public static synchronized void ensureLanes(int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("a JVM needs at least one libtorch lane, not " + lanes);
    }
    if (lanes > LANES.getMaximumPoolSize()) {
      LANES.setMaximumPoolSize(lanes);
      LANES.setCorePoolSize(lanes);
    }
  }

  /** How many libtorch works may run at once in this JVM. */
  public static int lanes() {
    return LANES.getCorePoolSize();
  }

  /** Runs {@code work} on a free lane (directly when already on one) and returns its result. */
  public static <T> T call(Callable<T> work) {
    if (Thread.currentThread().getName().startsWith(NAME + "-")) {
      try {
        return work.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Future<T> result = LANES.submit(work);
    try {
      return result.get();
    } catch (InterruptedException e) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for libtorch work", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Runs {@code work} on a free lane and waits for it. */
  public static void run(Runnable work) {
    call(() -> {
      work.run();
      return null;
    });
  }
}
