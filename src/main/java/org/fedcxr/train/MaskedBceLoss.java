package org.fedcxr.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.loss.Loss;

/**
 * Multi-label binary cross-entropy on logits, {@code pos_weight}-style class weighting and a mask for unknown labels:
 * labels are {@code (targets, mask, positiveWeights)}; the loss is the sum over known entries of
 * {@code w·y·softplus(−x) + (1−y)·softplus(x)}, divided by the number of known entries.
 */
public final class MaskedBceLoss extends Loss {
  public MaskedBceLoss() {
    super("MaskedBCE");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray x = predictions.singletonOrThrow();
    NDArray y = labels.get(0);
    NDArray mask = labels.get(1);
    NDArray posWeight = labels.get(2);
    NDArray softplusNeg = softplus(x.neg());
    NDArray softplusPos = softplus(x);
    NDArray perEntry = y.mul(posWeight).mul(softplusNeg).add(y.neg().add(1).mul(softplusPos)).mul(mask);
    return perEntry.sum().div(mask.sum().maximum(1f));
  }

  /** log(1 + e^x), computed without overflow. */
  static NDArray softplus(NDArray x) {
    return Activation.relu(x).add(x.abs().neg().exp().add(1).log());
  }
}
