package org.fedcxr.train;

import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;
import java.util.Set;

/**
 * A learning rate that is {@code scale} times the base schedule's for the encoder's parameters and the base
 * schedule's for the rest (the head): fine-tuning a pretrained encoder more gently than its fresh head.
 */
record EncoderRate(Tracker base, Set<String> encoderParameterIds, float scale) implements ParameterTracker {
  @Override
  public float getNewValue(String parameterId, int numUpdate) {
    float lr = base.getNewValue(numUpdate);
    return encoderParameterIds.contains(parameterId) ? lr * scale : lr;
  }
}
