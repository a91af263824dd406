package org.fedcxr.train;

import java.util.concurrent.locks.ReentrantLock;

/**
 * DJL records gradients through one global switch per JVM, and seeds initialisation through one global generator,
 * so only one model may train or be initialised from a seed at a time in a JVM: every trainer (supervised and
 * self-supervised) holds this lock for its whole run, and every seeded initialisation while it draws; a second Spark
 * task (or a second study cell's driver thread) in the same JVM waits for it.
 */
public final class TrainingLock {
  private static final ReentrantLock LOCK = new ReentrantLock(true);

  private TrainingLock() {
  }

  public static void acquire() {
    LOCK.lock();
  }

  public static void release() {
    LOCK.unlock();
  }

  /** Whether some thread of this JVM is training now. */
  public static boolean busy() {
    return LOCK.isLocked();
  }
}
