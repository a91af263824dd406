package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Records gradients on the calling thread only: libtorch's gradient mode is per thread, so trainings on different
 * {@link TorchThread} lanes record at the same time. DJL's own collector ({@code Trainer.newGradientCollector}) keeps
 * one switch per JVM and refuses a second training while one records. Gradients are zeroed by fedcxr's optimizers
 * after each update, so there is nothing to zero here.
 */
public final class GradientRecording implements AutoCloseable {
  private final boolean wasRecording;

  /** Starts recording on this thread. */
  public GradientRecording() {
    wasRecording = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
  }

  /** Computes the gradients of {@code target} into its leaves' gradient arrays. */
  public void backward(NDArray target) {
    NDArray ones = target.getManager().ones(target.getShape(), target.getDataType()).toDevice(target.getDevice(),
        false);
    JniUtils.backward((PtNDArray) target, (PtNDArray) ones, false, false);
  }

  /** Stops recording on this thread, unless it was recording before. */
  @Override
  public void close() {
    if (!wasRecording) {
      JniUtils.setGradMode(false);
    }
  }
}
