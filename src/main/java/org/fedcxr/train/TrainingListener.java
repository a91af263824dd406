package org.fedcxr.train;

/**
 * What a training tells as it goes, in the spirit of DJL's {@code TrainingListener}: one method per event, each doing
 * nothing unless overridden, so a listener overrides what it listens to. {@code R} is the report of one unit of a
 * run: a pretraining epoch ({@code ssl.PretrainRun}), a federated round ({@code fl.FederatedRun}); local training
 * ({@link LocalTrainer}) and a self-supervised training's trainer ({@code ssl.SslTrainer}) tell only their steps.
 *
 * @param <R> the report of a unit of the run
 */
public interface TrainingListener<R> {
  /**
   * After every optimizer step of a local training or a self-supervised one ({@code ssl.SslTrainer}), on the thread
   * that trains: the step number (from 1) and the batch loss. An exception thrown here stops that training.
   */
  default void onStep(int step, float loss) {
  }

  /** During a long unit, on the driver: its parts done so far (a round's sampled clients, trained or dropped). */
  default void onProgress(int unit, long done, int total) {
  }

  /**
   * After each unit is checkpointed, on the driver: its report, the run's number of units, the seconds since this
   * run (or its resumption) began and an estimate of the seconds left. An exception thrown here stops the run after
   * that unit, as a driver failure would (it resumes from the checkpoint).
   */
  default void onCheckpoint(R report, int units, double elapsedSeconds, double secondsLeft) {
  }
}
