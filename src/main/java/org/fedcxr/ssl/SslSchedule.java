package org.fedcxr.ssl;

import ai.djl.training.tracker.Tracker;

/**
 * The per-step schedules of one pretraining worker, as pure functions of the global step t (1 for the run's first
 * optimizer update, {@code epochs × stepsPerEpoch} for its last), so that a run resumed at an epoch boundary
 * continues exactly where an uninterrupted one would be.
 * <ul>
 *   <li>learning rate, {@code warmup-cosine}: base·t/W for t &lt; W (W = warm-up epochs × steps per epoch), then
 *       base·(1 + cos(π·(t − W)/(T − W)))/2, reaching 0 at the last step T (DJL's warm-up and cosine trackers);</li>
 *   <li>BYOL target momentum, {@code cosine}: τ(t) = 1 − (1 − τ₀)·(1 + cos(π·t/T))/2, rising from τ₀ to 1.</li>
 * </ul>
 */
public record SslSchedule(SslConfig config, int stepsPerEpoch) {
  public SslSchedule {
    if (stepsPerEpoch < 1) {
      throw new IllegalArgumentException("a pretraining epoch needs at least one step (two images)");
    }
  }

  /** The last global step of the run. */
  public int totalSteps() {
    return config.epochs() * stepsPerEpoch;
  }

  /** The global steps done before an epoch (epochs count from 1). */
  public int stepsBefore(int epoch) {
    return (epoch - 1) * stepsPerEpoch;
  }

  /** The learning rate as a DJL tracker of the optimizer's update count t. */
  public Tracker learningRate() {
    float base = config.learningRate();
    if (config.schedule().equals("constant")) {
      return Tracker.fixed(base);
    }
    int warmup = config.warmupEpochs() * stepsPerEpoch;
    Tracker cosine = Tracker.cosine().setBaseValue(base).optFinalValue(0f)
        .setMaxUpdates(Math.max(1, totalSteps() - warmup)).build();
    return warmup == 0 ? cosine
        : Tracker.warmUp().setMainTracker(cosine).optWarmUpSteps(warmup).optWarmUpBeginValue(0f).build();
  }

  /**
   * The learning rate for an optimizer whose update count n restarted after global step {@code stepsDone} (Adam
   * restarted every epoch, {@code optimizer_state: epoch}): the rate of global step stepsDone + n.
   */
  public Tracker learningRateAfter(int stepsDone) {
    Tracker global = learningRate();
    return n -> global.getNewValue(stepsDone + n);
  }

  /** BYOL's target momentum for the EMA update after global step t. */
  public float tau(int t) {
    float base = config.ema();
    if (config.emaSchedule().equals("constant")) {
      return base;
    }
    return (float) (1 - (1 - base) * (1 + Math.cos(Math.PI * Math.min(t, totalSteps()) / totalSteps())) / 2);
  }
}
