package org.fedcxr.model;

import ai.djl.engine.Engine;

/**
 * Weight initialisation, one at a time per JVM: DJL and libtorch draw initial weights from one global generator, so
 * a seeded initialisation on one {@link TorchThread} lane would take draws from another lane's at the same time.
 * Every initialisation holds this class's lock; a seeded one sets the generator's seed first. Training itself draws
 * nothing from that generator (augmentations and orders come from {@code Seeds}).
 */
public final class Initialization {
  private static final Object GENERATOR = new Object();

  private Initialization() {
  }

  /** Seeds the generator with {@code seed} and runs {@code init}, with no other initialisation in between. */
  public static void seeded(int seed, Runnable init) {
    synchronized (GENERATOR) {
      Engine.getEngine("PyTorch").setRandomSeed(seed);
      init.run();
    }
  }

  /** Runs an initialisation whose weights are overwritten afterwards (it still draws from the generator). */
  public static void unseeded(Runnable init) {
    synchronized (GENERATOR) {
      init.run();
    }
  }
}
