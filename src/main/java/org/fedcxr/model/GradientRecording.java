package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * Records gradients on the calling thread only: libtorch's gradient mode is per thread, so trainings on different
 * {@link TorchThread} lanes record at the same time. DJL's own collector ({@code Trainer.newGradientCollector}) keeps
 * one switch per JVM and refuses a second training while one records.
 */
public final class GradientRecording implements GradientCollector {
  private final boolean wasRecording;

  /** Starts recording on this thread. */
  public GradientRecording() {
    wasRecording = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
  }

  /** Computes the gradients of a scalar {@code target} into its leaves' gradient arrays. */
  @Override
  public void backward(NDArray target) {
    NDArray ones = target.getManager().ones(target.getShape(), target.getDataType()).toDevice(target.getDevice(),
        false);
    JniUtils.backward((PtNDArray) target, (PtNDArray) ones, false, false);
  }

  /** Not supported: fedcxr's optimizers zero each gradient after applying it. */
  @Override
  public void zeroGradients() {
    throw new UnsupportedOperationException("gradients are zeroed by the optimizer's update");
  }

  @Override
  public void close() {
    if (!wasRecording) {
      JniUtils.setGradMode(false);
    }
  }
}
