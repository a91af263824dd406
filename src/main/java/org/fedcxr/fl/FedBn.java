package org.fedcxr.fl;

/**
 * FedBN (Li et al., 2021): BatchNorm layers stay with each client between rounds (each client trains from the global
 * weights with its own BatchNorm); the global model is the weighted mean, its BatchNorm used for evaluation.
 */
record FedBn() implements Strategy {
  @Override
  public String name() {
    return "fedbn";
  }

  @Override
  public boolean keepsBatchNormLocal() {
    return true;
  }

  @Override
  public float[] merge(float[] global, float[] mean) {
    return mean;
  }
}
